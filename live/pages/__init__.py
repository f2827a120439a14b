"""The pages of the room: joining by QR code, the phone, the projector, the team's files."""
