"""The `sheetsync` command line: a client of the public Python API (`sheetsync.api`).

Importing this package registers every command on `app`; `main` is the console script.
"""

from sheetsync.cli import loop, rehearse, tools
from sheetsync.cli.app import app

__all__ = ["app", "loop", "main", "rehearse", "tools"]


def main() -> None:
    """The `sheetsync` console script."""
    app()
