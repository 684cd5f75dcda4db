"""`python -m sheetsync` runs the command line."""

from sheetsync.cli.app import main

main()
