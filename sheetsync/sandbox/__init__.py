"""An Esploro-compatible HTTP server with a SQLite store, seed data and fault injection.

It is what a newcomer runs first, what every test and benchmark talks to over real loopback
HTTP, and where library staff can rehearse a bulk correction before touching production.
"""

from sheetsync.sandbox.app import (
    DEFAULT_KEYS,
    DEFAULT_PORT,
    READ_ONLY_KEY,
    READ_WRITE_KEY,
    Sandbox,
    SandboxConfig,
)

__all__ = [
    "DEFAULT_KEYS",
    "DEFAULT_PORT",
    "READ_ONLY_KEY",
    "READ_WRITE_KEY",
    "Sandbox",
    "SandboxConfig",
]
