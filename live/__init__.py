"""The room: models, services, Socket.IO events, participant and projector pages."""
