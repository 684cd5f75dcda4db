"""The `sheetsync` command line: a client of the public Python API (`sheetsync.api`).

Importing this package registers every command on `app`; `main` is the console script.
"""

from sheetsync.cli import loop, tools
from sheetsync.cli.app import app

__all__ = ["app", "loop", "main", "tools"]


def main() -> None:
    """The `sheetsync` console script."""
    app()
