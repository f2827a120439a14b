"""`python -m facilitator` is the `bsc` command."""

from facilitator.entry import main

main()
