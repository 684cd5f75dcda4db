"""The plan file: what a plan written before a field was added still reads as, and what a file
of another kind given as a plan is told."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sheetsync.errors import PlanFileError
from sheetsync.planning.file import read_plan, write_plan
from sheetsync.planning.model import compute_checksum
from tests.report.sample import sample_plan


def test_a_plan_written_before_display_names_reads_with_none(tmp_path: Path) -> None:
    path = tmp_path / "old.plan.json"
    write_plan(sample_plan(), path)
    document = json.loads(path.read_text(encoding="utf-8"))
    for record in document["records"]:
        del record["display_name"]  # as format 2 wrote it before names were kept
    document["checksum"] = compute_checksum(document)
    path.write_text(json.dumps(document), encoding="utf-8")
    old = read_plan(path)
    assert [r.display_name for r in old.records] == [""] * len(old.records)
    assert [r.record_id for r in old.records] == [r.record_id for r in sample_plan().records]


def test_a_named_plan_reads_back_equal(tmp_path: Path) -> None:
    from dataclasses import replace

    named = replace(
        sample_plan(),
        records=tuple(replace(r, display_name=f"Ana {r.record_id}") for r in sample_plan().records),
    ).with_checksum()
    write_plan(named, tmp_path / "p.plan.json")
    assert read_plan(tmp_path / "p.plan.json") == named


def test_a_template_given_as_a_plan_is_named_as_one(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('entity = "researchers"\n[[columns]]\nheader = "ID"\n', encoding="utf-8")
    with pytest.raises(PlanFileError, match=r"this is a sheetsync template \(\.toml\)"):
        read_plan(path)
