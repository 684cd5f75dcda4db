"""How fast `plan` reads an edited export, against openpyxl's read-only mode in the same run.

    python bench/plan_read.py [--rows 20000] [--rounds 3]

Builds an export workbook of ROWS researchers (the built-in template's columns, plus the
equal hidden baseline sheet) with the real export writer, then times:
  * sheetsync: `read_export` (python-calamine for values, baseline checksum verification, the
    formula scan, header mapping): everything plan does before it diffs;
  * baseline: openpyxl `load_workbook(read_only=True)` iterating every value of the data and
    baseline sheets, and nothing more.
Prints seconds for each (median of the rounds) and the speed-up.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from openpyxl import load_workbook

from sheetsync.esploro.entities import entity_of
from sheetsync.template import load_template
from sheetsync.workbook import ExportInfo, ExportWriter
from sheetsync.workbook.reader import read_export


def build(path: Path, rows: int) -> None:
    template = load_template("researchers")
    info = ExportInfo(
        str(uuid.uuid4()), template.name, template.sha256, template.source, template.entity,
        "http://127.0.0.1:8780", "bench", "now", "bench", id_header=template.id_column.header,
    )  # fmt: skip
    with ExportWriter(
        path, template, info, {}, data_sheet=entity_of(template.entity).sheet_title
    ) as writer:
        for n in range(rows):
            texts = [f"{10**15 + n}"] + [
                f"value {n}.{j} with some words" for j in range(1, len(template.columns))
            ]
            writer.add(texts[0], f"{n:064x}", texts)


def openpyxl_values(path: Path) -> int:
    book = load_workbook(path, read_only=True)
    count = 0
    for sheet in (book.worksheets[0], book["_sheetsync"]):
        for row in sheet.iter_rows(values_only=True):
            count += len(row)
    book.close()
    return count


def timed(work: object, path: Path) -> float:
    started = time.perf_counter()
    work(path)  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.xlsx"
        started = time.perf_counter()
        build(path, args.rows)
        seconds = time.perf_counter() - started
        columns = len(load_template("researchers").columns)
        print(f"built {args.rows:,} rows x {columns} columns (+ baseline) in {seconds:.1f} s")
        ours, theirs = [], []
        for _ in range(args.rounds):
            theirs.append(timed(openpyxl_values, path))
            ours.append(timed(read_export, path))
    mine, base = statistics.median(ours), statistics.median(theirs)
    print(
        f"baseline openpyxl read-only  {base:7.2f} s   rounds: "
        + ", ".join(f"{t:.2f}" for t in theirs)
    )
    print(
        f"sheetsync read_export        {mine:7.2f} s   rounds: "
        + ", ".join(f"{t:.2f}" for t in ours)
    )
    print(f"speed-up                     {base / mine:7.1f}x")


if __name__ == "__main__":
    main()
