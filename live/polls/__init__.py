"""Polls in the room: answers checked and counted once by their kind's definition, results batched."""
