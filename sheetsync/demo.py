"""`sheetsync demo`: a first look, on an in-process sandbox, at the problem sheetsync solves.

Until export / plan / apply land, the tour shows the sandbox and the one fact every bulk
editor of Esploro must respect: a PUT replaces the whole record, so a script that sends only
the field it changed wipes everything else. The tour makes that mistake on purpose, shows the
damage, and repairs it the way sheetsync always writes: the full live record, one field changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from sheetsync.api import EsploroClient
from sheetsync.sandbox import READ_WRITE_KEY, Sandbox, SandboxConfig

NEW_TITLE = "Professor of Coastal Geomorphology"


@dataclass(frozen=True)
class TourOutcome:
    """What the tour did, for tests and `--json`."""

    base_url: str
    researcher_id: str
    wiped_fields: list[str]
    repaired_differences: list[str]
    requests: int


def _is_empty(value: Any) -> bool:
    return value in (None, "", [], {}, False)


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Fields (one level into `researcher`) whose values differ, as dotted names."""
    names: list[str] = []
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        if key == "researcher" and isinstance(old, dict) and isinstance(new, dict):
            names += [f"researcher.{name}" for name in changed_fields(old, new)]
        elif old != new and key != "link":
            names.append(key)
    return sorted(names)


def _at(record: dict[str, Any], dotted: str) -> Any:
    node: Any = record
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def wiped_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The changed fields that held something before and nothing after."""
    return [
        name
        for name in changed_fields(before, after)
        if not _is_empty(_at(before, name)) and _is_empty(_at(after, name))
    ]


def _pick_researcher(client: EsploroClient) -> dict[str, Any]:
    """A researcher with keywords and identifiers, so the damage is visible."""
    for user in client.list_researchers(limit=50).get("user", []):
        record = client.get_researcher(user["primary_id"])
        researcher = record.get("researcher") or {}
        if len(researcher.get("researcher_keyword", [])) >= 3 and researcher.get("user_identifier"):
            return record
    raise RuntimeError("the sandbox seed has no researcher with keywords and identifiers")


def _show_researchers(console: Console, client: EsploroClient) -> None:
    table = Table(title="First researchers in the sandbox", title_justify="left")
    for column in ("primary_id", "name", "group"):
        table.add_column(column)
    for user in client.list_researchers(limit=5).get("user", []):
        group = (user.get("user_group") or {}).get("desc", "")
        table.add_row(user["primary_id"], user.get("full_name", ""), group)
    console.print(table)


def run_tour(console: Console) -> TourOutcome:
    config = SandboxConfig(port=0, researchers=50, assets=60, rate_limit=1000.0)
    with Sandbox(config).start() as server:
        console.print(f"Started an Esploro sandbox at [bold]{server.base_url}[/] (in memory).\n")
        client = EsploroClient(server.base_url, READ_WRITE_KEY)
        _show_researchers(console, client)
        before = _pick_researcher(client)
        primary_id = before["primary_id"]
        console.print(
            f"\n[bold]1. The mistake.[/] A script changes {before['full_name']}'s display title "
            "and PUTs only that field:"
        )
        client.put_researcher(
            primary_id, {"primary_id": primary_id, "researcher": {"display_title": NEW_TITLE}}
        )
        damaged = client.get_researcher(primary_id)
        wiped = wiped_fields(before, damaged)
        console.print(f"   [red]{len(wiped)} fields wiped[/]: {', '.join(wiped)}")
        console.print(
            "\n[bold]2. The sheetsync way.[/] Take the full record as it was, change one field, "
            "PUT all of it:"
        )
        repaired_body = {
            **before,
            "researcher": {**before["researcher"], "display_title": NEW_TITLE},
        }
        client.put_researcher(primary_id, repaired_body)
        differences = changed_fields(before, client.get_researcher(primary_id))
        console.print(f"   [green]changed: {', '.join(differences)}[/]; nothing else moved.")
        requests = int(server.stats()["total"])
        client.close()
    console.print(
        f"\n{requests} API requests. Keep a sandbox running with [bold]sheetsync sandbox[/]; "
        "export, plan and apply are on their way."
    )
    return TourOutcome(server.base_url, primary_id, wiped, differences, requests)
