"""Where an export or a plan came from: the template, the Esploro, the sheetsync, the time.

An export records these in its workbook's `_sheetsync` sheet (`ExportInfo`) and a plan in its
JSON (`Plan`), under the same field names; this is their one source, so the two cannot drift
apart. Only the timestamp's name differs: `exported_at` in a workbook, `created_at` in a plan.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from sheetsync._version import __version__
from sheetsync.template import EntityName, Template


@dataclass(frozen=True)
class Provenance:
    template_name: str
    template_sha256: str  # of the template file's bytes: plan refuses a template changed since
    template_source: str  # the path as given, or "builtin:NAME"
    entity: EntityName
    base_url: str
    sheetsync_version: str
    at: str  # UTC, ISO 8601 to the second: "2024-05-02T09:30:00+00:00"


def provenance(template: Template, base_url: str) -> Provenance:
    """The provenance of something made now, with `template`, against `base_url`."""
    return Provenance(
        template_name=template.name,
        template_sha256=template.sha256,
        template_source=template.source,
        entity=template.entity,
        base_url=base_url,
        sheetsync_version=__version__,
        at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    )
