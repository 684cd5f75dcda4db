"""Reading an export back with bounded memory: zip bombs refused, the formula scan streamed."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from sheetsync.errors import WorkbookError
from sheetsync.esploro.entities import entity_of
from sheetsync.template import load_template
from sheetsync.workbook import ExportInfo, ExportWriter, reader
from sheetsync.workbook.reader import read_export
from tests.cli.runner import SHEETSYNC, one_error_line

TEMPLATE = load_template("researchers")
DATA_PART = "xl/worksheets/sheet1.xml"
MIB = 1 << 20
GIB = 1 << 30


def _export(path: Path, rows: int) -> Path:
    t = TEMPLATE
    info = ExportInfo(
        "id-1", t.name, t.sha256, t.source, t.entity, "http://x", "all", "now", "0",
        id_header=t.id_column.header,
    )  # fmt: skip
    sheet = entity_of(t.entity).sheet_title
    with ExportWriter(path, t, info, {}, data_sheet=sheet) as writer:
        for n in range(rows):
            texts = [str(10**15 + n)] + [f"value {n}.{j}" for j in range(1, len(t.columns))]
            writer.add(texts[0], f"{n:064x}", texts)
    return path


def _deflated(pieces: list[tuple[bytes, int]]) -> tuple[list[tuple[bytes, int]], int, int, int]:
    """Each (bytes, times) piece deflated once and flushed to a byte boundary with the history
    reset, so that its deflated bytes repeated `times` inflate to the piece repeated: a few GB
    written in seconds. Returns the deflated pieces, CRC-32, compressed and plain sizes."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    out, crc, packed, plain = [], 0, 0, 0
    for data, times in pieces:
        block = compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)
        out.append((block, times))
        for _ in range(times):
            crc = zlib.crc32(data, crc)
        packed, plain = packed + len(block) * times, plain + len(data) * times
    end = compressor.flush(zlib.Z_FINISH)
    out.append((end, 1))
    return out, crc, packed + len(end), plain


def _padded(source: Path, target: Path, padding: int) -> Path:
    """`source` with `padding` bytes of spaces inside its data sheet's <sheetData>, as a zip
    written by hand (zipfile cannot take deflated bytes): small on disk, huge inflated."""
    chunk = b" " * MIB
    with zipfile.ZipFile(source) as package:
        members = [(i.filename, package.read(i)) for i in package.infolist()]
    central, offset = [], 0
    with target.open("wb") as out:
        for name, data in members:
            pieces = [(data, 1)]
            if name == DATA_PART:
                head, tail = data.split(b"<sheetData>", 1)
                pieces = [(head + b"<sheetData>", 1), (chunk, padding // MIB), (tail, 1)]
            blocks, crc, packed, plain = _deflated(pieces)
            encoded = name.encode()
            sizes = (crc, packed, plain, len(encoded))
            out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, *sizes, 0))
            out.write(encoded)
            for block, times in blocks:
                for _ in range(times):
                    out.write(block)
            header = (0x02014B50, 20, 20, 0, 8, 0, 0, *sizes, 0, 0, 0, 0, 0, offset)
            central.append(struct.pack("<IHHHHHHIIIHHHHHII", *header) + encoded)
            offset = out.tell()
        directory = b"".join(central)
        count = len(central)
        out.write(directory)
        out.write(
            struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory), offset, 0)
        )
    return target


def _plan_peak(workbook: Path, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """`sheetsync plan` of `workbook` as a subprocess: its outcome and its peak RSS in bytes."""
    environment = {**os.environ, "ESPLORO_API_KEY": "sandbox-rw", "COLUMNS": "200"}
    command = [*SHEETSYNC, "plan", str(workbook), "--base-url", "http://127.0.0.1:9"]
    process = subprocess.Popen(
        command, env=environment, cwd=tmp_path, text=True, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    done = subprocess.CompletedProcess(command, process.returncode, "", stderr)
    return done, usage.ru_maxrss * 1024.0


def test_padding_rebuilt_by_hand_inflates_to_the_same_workbook(tmp_path: Path) -> None:
    """The hand-written zip is a real one: small padding reads back as the export it padded."""
    padded = _padded(_export(tmp_path / "e.xlsx", 5), tmp_path / "p.xlsx", 3 * MIB)
    with zipfile.ZipFile(padded) as package:
        assert package.testzip() is None
        assert len(package.read(DATA_PART)) > 3 * MIB
    assert len(read_export(padded).rows) == 5


def test_a_few_gb_bomb_is_refused_by_plan_in_one_line_with_flat_memory(tmp_path: Path) -> None:
    bomb = _padded(_export(tmp_path / "e.xlsx", 5), tmp_path / "bomb.xlsx", 3 * GIB)
    assert bomb.stat().st_size < 20 * MIB
    done, peak = _plan_peak(bomb, tmp_path)
    assert done.returncode == 1, done.stderr
    line = one_error_line(done)
    assert DATA_PART in line and "3,221,2" in line and "not read" in line, line
    assert peak < GIB, peak


def test_the_bomb_rule_refuses_padding_and_reads_a_normal_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rule scaled down (a 1 MiB floor): a 2,000-row export deflates about 9 times and is
    read; the same export padded to 40 MiB deflates hundreds of times and is refused."""
    monkeypatch.setattr(reader, "_BOMB_FLOOR", MIB)
    export = _export(tmp_path / "e.xlsx", 2000)
    with zipfile.ZipFile(export) as package:
        assert package.getinfo(DATA_PART).file_size > MIB
    assert len(read_export(export).rows) == 2000
    padded = _padded(export, tmp_path / "p.xlsx", 40 * MIB)
    with pytest.raises(WorkbookError, match=f"its part {DATA_PART} is .* bytes that decompress"):
        read_export(padded)


def test_a_formula_is_still_found(tmp_path: Path) -> None:
    path = _export(tmp_path / "e.xlsx", 3)
    book = load_workbook(path)
    book.worksheets[0]["C3"] = "=1+1"
    book.save(path)
    assert read_export(path).formula_cells == frozenset({"C3"})


@given(
    before=st.integers(0, 300),
    after=st.integers(0, 300),
    chunk=st.integers(1, 50),
    tag=st.sampled_from([b"<f>", b"<f t='shared'/>", b"<x:f>", b"<f/>"]),
)
def test_the_streamed_scan_finds_a_formula_split_across_chunks(
    before: int, after: int, chunk: int, tag: bytes
) -> None:
    data = b" " * before + b"<c r='A1'>" + tag + b"</c>" + b"\n" * after
    stream = io.BytesIO(data)
    original = reader._SCAN_CHUNK
    reader._SCAN_CHUNK = chunk  # hypothesis and monkeypatch do not mix: restored below
    try:
        assert reader._has_formula(stream)
        assert not reader._has_formula(io.BytesIO(data.replace(tag, b"<v>1</v>")))
    finally:
        reader._SCAN_CHUNK = original
