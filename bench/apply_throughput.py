"""Apply throughput: sheetsync against a plain sequential GET-then-PUT loop, in the same run.

    python bench/apply_throughput.py [--records 1000] [--baseline-records 100]

A sandbox runs in its own process with `--latency-ms 150 --rate-limit 25`, like a distant
Esploro with the documented per-second threshold. Each record costs one GET and one PUT, so
the ceiling is 25 / 2 = 12.5 records/s. sheetsync exports RECORDS researchers, a display title
is edited on each, the plan is made, and `apply --rate 25` is timed. The baseline is what a
careful hand-written script does: for each of BASELINE records, GET it with requests, change
the title, PUT it back, one after the other. Prints records/s for both, sheetsync's share of
the ceiling, the ratio, and any record that did not end updated.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from soak import prepare  # bench/ is on sys.path when this runs as a script

from sheetsync.applying.journal import journal_path
from sheetsync.applying.run import ApplyOptions, apply_plan
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import RESEARCHERS
from sheetsync.planning.file import read_plan
from sheetsync.sandbox import READ_WRITE_KEY

RATE = 25.0
CEILING = RATE / 2  # one GET and one PUT per record


def start_sandbox(researchers: int) -> tuple[subprocess.Popen[str], str]:
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
        "5",
        "--rate-limit",
        str(RATE),
        "--latency-ms",
        "150",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())["base_url"]


def baseline(base_url: str, ids: list[str]) -> float:
    """The hand-written loop: GET, change, PUT, one record at a time. Records per second."""
    session = requests.Session()
    session.headers.update(
        {"Authorization": f"apikey {READ_WRITE_KEY}", "Accept": "application/json"}
    )
    started = time.perf_counter()
    for primary_id in ids:
        url = f"{base_url}/esploro/v1/researchers/{primary_id}"
        record = session.get(url, timeout=30).json()
        record["researcher"]["display_title"] = "Baseline title"
        session.put(url, json=record, timeout=30).raise_for_status()
    return len(ids) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--baseline-records", type=int, default=100)
    args = parser.parse_args()
    process, base_url = start_sandbox(args.records + args.baseline_records + 10)
    try:
        with (
            tempfile.TemporaryDirectory() as folder,
            EsploroClient(base_url, READ_WRITE_KEY, rate=RATE, workers=8) as client,
        ):
            started = time.perf_counter()
            plan_path = prepare(client, Path(folder), args.records, "Benchmark title")
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
            others = [i for i in RESEARCHERS.list_ids(client) if i not in planned]
        ours = len(result.results) / seconds
        not_updated = [r for r in result.results if r.status != "updated"]
        theirs = baseline(base_url, others[: args.baseline_records])
    finally:
        process.terminate()
    print(
        f"sheetsync apply --rate {RATE:g}   {ours:6.2f} records/s  ({len(result.results)} records, "
        f"{seconds:.0f} s; {ours / CEILING:.1%} of the {CEILING:g}/s ceiling)"
    )
    print(f"baseline GET-then-PUT loop  {theirs:6.2f} records/s  ({args.baseline_records} records)")
    print(f"ratio sheetsync/baseline    {ours / theirs:6.1f}x")
    print(
        f"records not updated         {len(not_updated)}"
        + "".join(f"\n  {r.record_id}: {r.status} {r.error_message}" for r in not_updated[:10])
    )


if __name__ == "__main__":
    main()
