"""The `sheetsync` command line: a client of the public Python API."""

from sheetsync.cli.app import app, main

__all__ = ["app", "main"]
