"""The application: the `bsc` command line and, later, the facilitator console."""
