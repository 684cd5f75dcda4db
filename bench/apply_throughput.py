"""Apply throughput: sheetsync against a plain sequential GET-then-write loop, in the same run.

    python bench/apply_throughput.py [--entity researchers|assets] [--records 1000]
        [--baseline-records 100]

A sandbox runs in its own process with `--latency-ms 150 --rate-limit 25`, like a distant
Esploro with the documented per-second threshold. A researcher costs one GET and one PUT, so
the ceiling is 25 / 2 = 12.5 records/s; an asset costs one op=patch write and 1/100th of a
GET (apply reads assets 100 to a GET just before writing them), so the ceiling is
25 / (1 + 1/100) ≈ 24.75 records/s. sheetsync exports RECORDS records, a person's edits are
made on each (a researcher's display title; an asset's DOI and publication date), the plan is
made, and `apply --rate 25` is timed. The baseline is what a careful hand-written script does:
for each of BASELINE records, GET it with requests, change the title, write it back (PUT; an
asset: op=patch), one after the other. Prints records/s for both, sheetsync's share of the
ceiling, the ratio, and any record that did not end updated; then rolls the apply back and
prints the rollback's records/s against the same ceiling (a restore costs what a write does).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import requests
from soak import prepare  # bench/ is on sys.path when this runs as a script

from sheetsync.applying.journal import journal_path
from sheetsync.applying.rollback import rollback_plan
from sheetsync.applying.run import ApplyOptions, apply_plan
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import ASSETS, EVERYTHING_SINCE, RESEARCHERS, Selection
from sheetsync.planning.file import read_plan
from sheetsync.sandbox import READ_WRITE_KEY

RATE = 25.0
CEILINGS = {  # records/s: one write each, and one GET per record read
    "researchers": RATE / (1 + 1),
    "assets": RATE / (1 + 1 / ASSETS.read_batch_size),
}


def start_sandbox(researchers: int, assets: int = 5) -> tuple[subprocess.Popen[str], str]:
    command = [
        sys.executable,
        "-m",
        "sheetsync",
        "sandbox",
        "--port",
        "0",
        "--memory",
        "--json",
        "--researchers",
        str(researchers),
        "--assets",
        str(assets),
        "--rate-limit",
        str(RATE),
        "--latency-ms",
        "150",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())["base_url"]


def _session() -> requests.Session:
    session = requests.Session()
    session.headers.update(
        {"Authorization": f"apikey {READ_WRITE_KEY}", "Accept": "application/json"}
    )
    return session


def baseline(base_url: str, ids: list[str]) -> float:
    """The hand-written loop: GET, change, PUT, one record at a time. Records per second."""
    session = _session()
    started = time.perf_counter()
    for primary_id in ids:
        url = f"{base_url}/esploro/v1/researchers/{primary_id}"
        record = session.get(url, timeout=30).json()
        record["researcher"]["display_title"] = "Baseline title"
        session.put(url, json=record, timeout=30).raise_for_status()
    return len(ids) / (time.perf_counter() - started)


def baseline_assets(base_url: str, ids: list[str]) -> float:
    """The hand-written loop for assets: GET one, op=patch its publication date (title and
    publisher are not patchable), one asset at a time."""
    session = _session()
    started = time.perf_counter()
    for asset_id in ids:
        url = f"{base_url}/esploro/v1/assets/{asset_id}"
        record = session.get(url, timeout=30).json()["records"][0]
        published = "20240101" if record.get("date.published") != "20240101" else "20240102"
        body = {"records": [{"date.published": published}]}
        params = {"op": "patch", "action": "replace"}
        session.post(url, params=params, json=body, timeout=30).raise_for_status()
    return len(ids) / (time.perf_counter() - started)


def other_ids(client: EsploroClient, entity: str, planned: set[str]) -> list[str]:
    """The records the plan does not touch, for the baseline loop."""
    if entity == "assets":
        filters = Selection(updated_since=EVERYTHING_SINCE).asset_filters()
        listed = (r["originalRepository"]["assetId"] for r in ASSETS.list_records(client, filters))
        return [i for i in listed if i not in planned]
    return [i for i in RESEARCHERS.list_ids(client) if i not in planned]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entity", choices=sorted(CEILINGS), default="researchers")
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--baseline-records", type=int, default=100)
    args = parser.parse_args()
    count = args.records + args.baseline_records + 10
    entity, ceiling = args.entity, CEILINGS[args.entity]
    process, base_url = start_sandbox(*((5, count) if entity == "assets" else (count, 5)))
    try:
        with (
            tempfile.TemporaryDirectory() as folder,
            EsploroClient(base_url, READ_WRITE_KEY, rate=RATE, workers=8) as client,
        ):
            started = time.perf_counter()
            plan_path = prepare(client, Path(folder), args.records, "Benchmark title", entity)
            print(
                f"prepared {args.records} changes (export, edit, plan) in "
                f"{time.perf_counter() - started:.0f} s"
            )
            plan = read_plan(plan_path)
            started = time.perf_counter()
            result = apply_plan(
                client, plan, journal=journal_path(plan_path), options=ApplyOptions()
            )
            seconds = time.perf_counter() - started
            planned = {r.record_id for r in plan.records}
            others = other_ids(client, entity, planned)
            started = time.perf_counter()
            undone = rollback_plan(client, plan, journal=journal_path(plan_path))
            undo_seconds = time.perf_counter() - started
        ours = len(result.results) / seconds
        undo_rate = len(undone.results) / undo_seconds
        not_undone = [r for r in undone.results if r.status != "rolled back"]
        not_updated = [r for r in result.results if r.status != "updated"]
        loop = baseline_assets if entity == "assets" else baseline
        theirs = loop(base_url, others[: args.baseline_records])
    finally:
        process.terminate()
    print(
        f"sheetsync apply --rate {RATE:g}   {ours:6.2f} records/s  ({len(result.results)} records, "
        f"{seconds:.0f} s; {ours / ceiling:.1%} of the {ceiling:.2f}/s ceiling)"
    )
    print(
        f"sheetsync rollback           {undo_rate:5.2f} records/s  ({len(undone.results)} records, "
        f"{undo_seconds:.0f} s; {undo_rate / ceiling:.1%} of the ceiling; "
        f"{len(not_undone)} not rolled back)"
        + "".join(
            f"\n  {n} {status}" for status, n in Counter(r.status for r in not_undone).items()
        )
    )
    print(
        f"baseline GET-then-write loop {theirs:5.2f} records/s  ({args.baseline_records} records)"
    )
    print(f"ratio sheetsync/baseline    {ours / theirs:6.1f}x")
    print(
        f"records not updated         {len(not_updated)}"
        + "".join(f"\n  {r.record_id}: {r.status} {r.error_message}" for r in not_updated[:10])
    )


if __name__ == "__main__":
    main()
