"""Plan of a large asset export end to end: `sheetsync plan` as a subprocess, wall and peak RSS.

    python bench/plan_e2e.py [--rows 100000] [--edits 100] [--rounds 3] [--cache DIR] [--fresh]

Builds once, and keeps under the cache folder (default: the temp folder's
`sheetsync-bench-plan-e2e/rows-N`): a sandbox SQLite database seeded with ROWS assets, the export
`sheetsync export assets --updated-since 1900-01-01` of all of them, and a copy with EDITS rows'
DOI changed. The edit rewrites those cells inside the data sheet's XML and copies every other
part byte for byte, so the hidden baseline and its checksum stay intact (as an Excel save
would leave them). Building 100,000 assets and their export takes a couple of minutes; later
runs reuse it (`--fresh` builds again).

Then, against that sandbox (its own process, no rate limit), times `sheetsync plan --rate 2000`
of the edited copy as a subprocess: wall time and peak RSS (`os.wait4`), the median of the
rounds. The baseline is openpyxl's plain read-only pass over the same file (every value of the
data and baseline sheets, nothing more), timed the same way in a subprocess.
Goal (issue 14): at 100,000 rows, <= 10 s and <= 1 GiB.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from sheetsync.template import load_template

API_KEY = "sandbox-rw"
EDITED_HEADER = "DOI"
OPENPYXL_PASS = """
import sys
from openpyxl import load_workbook
book = load_workbook(sys.argv[1], read_only=True)
count = 0
for sheet in (book.worksheets[0], book["_sheetsync"]):
    for row in sheet.iter_rows(values_only=True):
        count += len(row)
print(count)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_sandbox(db: Path, port: int, assets: int) -> tuple[subprocess.Popen[str], str]:
    """The sandbox in its own process with no rate limit; seeds `db` when it is new."""
    command = [
        sys.executable, "-m", "sheetsync", "sandbox", "--port", str(port), "--db", str(db),
        "--researchers", "10", "--assets", str(assets), "--rate-limit", "1000000",
        "--daily-limit", "1000000000", "--json",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise SystemExit(f"the sandbox did not start on port {port}; try again with --fresh")
    return process, json.loads(line)["base_url"]


def environment() -> dict[str, str]:
    return {**os.environ, "ESPLORO_API_KEY": API_KEY}


def build(folder: Path, rows: int, edits: int) -> None:
    """The sandbox database, the export and its edited copy, in `folder`."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    port = free_port()
    started = time.perf_counter()
    process, base_url = start_sandbox(folder / "sandbox.db", port, rows)
    try:
        print(f"seeded {rows:,} assets in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        export = folder / "export.xlsx"
        subprocess.run(
            [sys.executable, "-m", "sheetsync", "export", "assets", "--updated-since",
             "1900-01-01", "--base-url", base_url, "--rate", "2000", "-o", str(export)],
            env=environment(), check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        print(f"exported them in {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        process.terminate()
        process.wait()
    edit_cells(export, folder / "edited.xlsx", rows, edits)
    (folder / "facts.json").write_text(json.dumps({"port": port, "rows": rows, "edits": edits}))


def edit_cells(source: Path, target: Path, rows: int, edits: int) -> None:
    """EDITS rows spread over the sheet get a new DOI, typed as an Excel user would (an inline
    string cell); every other zip member is copied unchanged."""
    headers = [c.header for c in load_template("assets").columns]
    letter = chr(ord("A") + headers.index(EDITED_HEADER))
    step = max(1, rows // edits)
    numbers = [2 + n * step for n in range(min(edits, rows))]
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(target, "w") as out:
        data_part = _data_part(package)
        for info in package.infolist():
            content = package.read(info)
            if info.filename == data_part:
                content = _with_dois(content, letter, numbers)
            out.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)


def _data_part(package: zipfile.ZipFile) -> str:
    """The first sheet of the workbook: the data sheet, as the export writes it."""
    workbook = package.read("xl/workbook.xml").decode()
    rels = package.read("xl/_rels/workbook.xml.rels").decode()
    first_id = re.search(r'<sheet [^>]*r:id="([^"]+)"', workbook) or re.search(
        r'<sheet [^>]*id="([^"]+)"', workbook
    )
    assert first_id, "no sheet in xl/workbook.xml"
    rel = re.search(rf'<Relationship [^>]*Id="{first_id.group(1)}"[^>]*/>', rels)
    assert rel, "the data sheet's relationship is missing"
    target = re.search(r'Target="([^"]+)"', rel.group(0))
    assert target
    return (
        target.group(1).lstrip("/") if target.group(1).startswith("/") else "xl/" + target.group(1)
    )


def _column(ref: str) -> int:
    number = 0
    for char in ref.rstrip("0123456789"):
        number = number * 26 + ord(char) - 64
    return number


def _with_dois(xml: bytes, letter: str, numbers: list[int]) -> bytes:
    """The sheet XML with each numbered row's DOI cell replaced (or added, in column order);
    one pass over the text, whatever its size."""
    text = xml.decode("utf-8")
    pieces, position = [], 0
    for n in sorted(numbers):
        row = re.compile(rf'<row r="{n}"[^>]*>(.*?)</row>', re.S).search(text, position)
        assert row, f"row {n} not found in the data sheet"
        cells = re.findall(r'<c r="([A-Z]+)\d+"[^>]*?(?:/>|>.*?</c>)', row.group(1), re.S)
        bodies = re.findall(r'<c r="[A-Z]+\d+"[^>]*?(?:/>|>.*?</c>)', row.group(1), re.S)
        new = f'<c r="{letter}{n}" t="inlineStr"><is><t>10.5555/bench.{n}</t></is></c>'
        kept = [(c, b) for c, b in zip(cells, bodies, strict=True) if c != letter]
        kept.append((letter, new))
        kept.sort(key=lambda pair: _column(pair[0]))
        pieces += [text[position : row.start(1)], "".join(body for _, body in kept)]
        position = row.end(1)
    pieces.append(text[position:])
    return "".join(pieces).encode("utf-8")


def measured(command: list[str]) -> tuple[float, float, float, int]:
    """Wall seconds, peak RSS in MiB, CPU seconds (user + system: what a shared machine's
    load does not inflate) and exit code of `command` run as a subprocess."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, usage.ru_maxrss / 1024, cpu, process.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--fresh", action="store_true", help="build the cached files again")
    args = parser.parse_args()
    cache = args.cache or Path(tempfile.gettempdir()) / "sheetsync-bench-plan-e2e"
    folder = cache / f"rows-{args.rows}-edits-{args.edits}"
    if args.fresh or not (folder / "facts.json").exists():
        # In a process of its own: editing the sheet XML takes this one to about 1 GB, and a
        # child's peak RSS on Linux starts from its parent's at the fork, so every figure
        # measured after it would read 1 GB whatever the command used.
        builder = multiprocessing.get_context("spawn").Process(
            target=build, args=(folder, args.rows, args.edits)
        )
        builder.start()
        builder.join()
        if builder.exitcode != 0:
            raise SystemExit(f"building the workbooks failed ({builder.exitcode})")
    port = json.loads((folder / "facts.json").read_text())["port"]
    edited = folder / "edited.xlsx"
    print(f"{args.rows:,} rows, {args.edits} edited: {edited} ({edited.stat().st_size:,} bytes)")
    process, base_url = start_sandbox(folder / "sandbox.db", port, args.rows)
    plan = [
        sys.executable, "-m", "sheetsync", "plan", str(edited), "--base-url", base_url,
        "--rate", "2000", "-o", str(folder / "edited.plan.json"),
    ]  # fmt: skip
    ours: list[list[float]] = []
    theirs: list[tuple[float, ...]] = []
    try:
        for _ in range(args.rounds):
            *figures, code = measured(plan)
            if code != 2:  # 2: the plan has changes, as it should
                raise SystemExit(f"sheetsync plan exited {code}, not 2")
            ours.append(figures)
            theirs.append(measured([sys.executable, "-c", OPENPYXL_PASS, str(edited)])[:3])
    finally:
        process.terminate()
        process.wait()
    planned = len(json.loads((folder / "edited.plan.json").read_text())["records"])
    for name, runs in (("sheetsync plan --rate 2000", ours), ("openpyxl read-only pass", theirs)):
        wall = statistics.median(s for s, _, _ in runs)
        peak = max(p for _, p, _ in runs)
        cpu = statistics.median(c for _, _, c in runs)
        rounds = ", ".join(f"{s:.2f}" for s, _, _ in runs)
        print(f"{name:28} {wall:7.2f} s  cpu {cpu:6.2f} s  peak {peak:5.0f} MiB  rounds: {rounds}")
    ratio = statistics.median(s for s, _, _ in theirs) / statistics.median(s for s, _, _ in ours)
    print(f"records planned              {planned}")
    print(f"speed-up over openpyxl       {ratio:7.1f}x")


if __name__ == "__main__":
    main()
