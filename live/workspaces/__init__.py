"""Team workspaces: the worksheets a team fills together, the gallery walk, the take-home plan."""
