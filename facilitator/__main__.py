"""`python -m facilitator` is the `bsc` command."""

from facilitator.cli import main

main()
