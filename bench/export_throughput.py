"""Export throughput: `sheetsync export` against the API's ceiling and a naive paging loop.

    python bench/export_throughput.py                      # 100,000 assets (seeding takes minutes)
    python bench/export_throughput.py --assets 10000       # a quick run
    python bench/export_throughput.py --researchers 2000   # researchers: one GET each

A sandbox runs in its own process with `--rate-limit 25 --latency-ms 150 --jitter-ms 50`, like
a distant Esploro with the documented per-second threshold. `sheetsync export ... --rate 25`
runs as a subprocess under `/usr/bin/time -v` (peak RSS). The ceiling is the calls the export
made divided by 25 per second: the time the API alone needs. Prints the export's wall time,
its share of that ceiling (goal >= 90% for assets, >= 95% of the rate for researchers), and
peak RSS (goal <= 300 MB, flat with size: the assets run also exports the first `--small`
records of the same sandbox with `--limit`). The baseline is what a plain script does: page
through the assets one request after another with requests and write the same template
columns with openpyxl in write-only mode; its records/s against sheetsync's is the ratio.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
import requests

from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import Selection, entity_of
from sheetsync.exporting import row_texts
from sheetsync.fieldpath import read_value
from sheetsync.progress import NO_PROGRESS
from sheetsync.records import fingerprint
from sheetsync.sandbox import READ_WRITE_KEY
from sheetsync.template import builtin_templates_dir, load_template
from sheetsync.workbook.cells import cell_text

RATE = 25.0
PAGE = 100


def start_sandbox(assets: int, researchers: int) -> tuple[subprocess.Popen[str], str]:
    command = [
        sys.executable,
        "-m",
        "sheetsync",
        "sandbox",
        "--port",
        "0",
        "--memory",
        "--json",
        "--assets",
        str(assets),
        "--researchers",
        str(researchers),
        "--rate-limit",
        str(RATE),
        "--latency-ms",
        "150",
        "--jitter-ms",
        "50",
        "--daily-limit",
        "10000000",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())["base_url"]


def environment(work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ESPLORO_API_KEY": READ_WRITE_KEY,
        "XDG_CONFIG_HOME": str(work / "config"),
        "XDG_STATE_HOME": str(work / "state"),
    }


def timed_export(work: Path, base_url: str, selection: list[str]) -> dict[str, float]:
    """One `sheetsync export` subprocess: wall seconds, peak RSS in MB, its JSON summary."""
    output = work / f"export-{time.monotonic_ns()}.xlsx"
    # GNU time, where installed (Debian package `time`): the export is forked from it, not from
    # this process, whose own size would otherwise count in the child's peak RSS on Linux.
    timer = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
    command = [*timer, sys.executable, "-m", "sheetsync", "export"]
    command += [*selection, "--rate", str(RATE), "--json", "-o", str(output)]
    command += ["--base-url", base_url]
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(work),
        cwd=work,
    )
    stdout, stderr = process.communicate()
    wall = time.monotonic() - started
    if process.returncode != 0:
        sys.exit(f"export failed ({process.returncode}):\n{stderr[-2000:]}")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    summary = json.loads(stdout)
    output.unlink()
    return {
        "wall": wall,
        "rss_mb": int(peak.group(1)) / 1024 if peak else math.nan,
        "records": summary["records"],
        "calls": summary["api_calls"],
    }


def report(label: str, run: dict[str, float]) -> None:
    ceiling = run["calls"] / RATE
    print(
        f"{label}: {run['records']:,} records, {run['calls']:,} calls in {run['wall']:.1f} s "
        f"(ceiling {ceiling:.1f} s at {RATE:g}/s): {ceiling / run['wall']:.0%} of the ceiling, "
        f"{run['records'] / run['wall']:,.0f} records/s, "
        + (
            f"peak RSS {run['rss_mb']:.0f} MB"
            if not math.isnan(run["rss_mb"])
            else "peak RSS not measured (no /usr/bin/time: apt-get install time)"
        )
    )


def naive_export(base_url: str, assets: int, output: Path) -> tuple[int, float]:
    """Page through `assets` assets one request at a time and write the assets template's
    columns with openpyxl write-only: (records, seconds)."""
    template = load_template(builtin_templates_dir() / "assets.toml")
    session = requests.Session()
    session.headers.update(
        {"Authorization": f"apikey {READ_WRITE_KEY}", "Accept": "application/json"}
    )
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Assets")
    sheet.append([column.header for column in template.columns])
    started = time.monotonic()
    written = 0
    for offset in range(0, assets, PAGE):
        params = {"update_date_from": "1900-01-01", "limit": PAGE, "offset": offset}
        answer = session.get(f"{base_url}/esploro/v1/assets", params=params, timeout=60)
        answer.raise_for_status()
        for record in answer.json().get("records", []):
            sheet.append([cell_text(read_value(record, c.path), c.join) for c in template.columns])
            written += 1
    book.save(output)
    return written, time.monotonic() - started


def pipeline_only(base_url: str, assets: int) -> None:
    """sheetsync's fetching and per-row work (cell texts, fingerprint) without the workbook
    writer, in this process: whether the pipeline keeps up with the API by itself."""
    template = load_template(builtin_templates_dir() / "assets.toml")
    texts_of = row_texts(template)
    with EsploroClient(base_url, READ_WRITE_KEY, rate=RATE) as client:
        selection = Selection(updated_since="1900-01-01", limit=assets)
        started = time.monotonic()
        rows = 0
        for item in entity_of("assets").select(client, selection, NO_PROGRESS):
            assert item.record is not None
            texts_of(item.record)
            fingerprint(item.record)
            rows += 1
        wall = time.monotonic() - started
        ceiling = client.calls / RATE
    print(
        f"pipeline without the writer: {rows:,} records, {client.calls:,} calls in {wall:.1f} s "
        f"(ceiling {ceiling:.1f} s): {ceiling / wall:.0%} of the ceiling"
    )


def assets_mode(work: Path, base_url: str, args: argparse.Namespace) -> None:
    every = ["assets", "--updated-since", "1900-01-01"]
    if 0 < args.small < args.assets:
        report(
            f"sheetsync, first {args.small:,}",
            timed_export(work, base_url, [*every, "--limit", str(args.small)]),
        )
    pipeline_only(base_url, args.assets)
    full = timed_export(work, base_url, every)
    report("sheetsync, all", full)
    records, seconds = naive_export(
        base_url, min(args.baseline_assets, args.assets), work / "naive.xlsx"
    )
    naive_rate = records / seconds
    ratio = (full["records"] / full["wall"]) / naive_rate
    print(
        f"naive loop (requests page by page, openpyxl write-only): {records:,} records in "
        f"{seconds:.1f} s, {naive_rate:,.0f} records/s; sheetsync is {ratio:.1f}x that"
    )


def researchers_mode(work: Path, base_url: str) -> None:
    run = timed_export(work, base_url, ["researchers"])
    report("sheetsync researchers", run)
    print(f"share of the rate given: {run['calls'] / run['wall'] / RATE:.1%} of {RATE:g} calls/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000, help="also export this many (RSS)")
    parser.add_argument("--baseline-assets", type=int, default=10_000)
    parser.add_argument("--researchers", type=int, default=0, help="researchers mode: how many")
    args = parser.parse_args()
    researchers = args.researchers > 0
    seeded = time.monotonic()
    process, base_url = start_sandbox(5 if researchers else args.assets, max(args.researchers, 5))
    print(f"sandbox seeded in {time.monotonic() - seeded:.0f} s at {base_url}", flush=True)
    try:
        with tempfile.TemporaryDirectory() as temp:
            if researchers:
                researchers_mode(Path(temp), base_url)
            else:
                assets_mode(Path(temp), base_url, args)
    finally:
        process.terminate()
        process.wait()


if __name__ == "__main__":
    main()
