"""sheetsync: declarative, spreadsheet-driven bulk editing for Ex Libris Esploro.

The library API grows with the export / plan / apply loop; today it offers the embedded
sandbox (`sheetsync.sandbox.Sandbox`), an Esploro-compatible server to rehearse against.
"""

__version__ = "0.1.0"
