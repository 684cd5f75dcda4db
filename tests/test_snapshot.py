"""`sheetsync.snapshot`: records exactly as received, owner-only, with their code tables."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import sheetsync
from sheetsync.errors import ExportError, NothingToExport
from sheetsync.esploro.client import EsploroClient, raw_items
from sheetsync.sandbox import Sandbox
from sheetsync.sandbox.app import CAPTURED_ASSET_ID
from tests.conftest import Api, start_sandbox


@pytest.fixture(scope="module")
def server() -> Iterator[Sandbox]:
    box = start_sandbox(researchers=8, assets=130)
    yield box
    box.stop()


@pytest.fixture
def client(server: Sandbox) -> Iterator[EsploroClient]:
    with sheetsync.connect(base_url=server.base_url, api_key="sandbox-ro", rate=500) as made:
        yield made


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_researchers_are_kept_as_the_text_each_get_answered(
    server: Sandbox, client: EsploroClient, tmp_path: Path
) -> None:
    path = tmp_path / "people.jsonl"
    summary = sheetsync.snapshot(client, "researchers", path, limit=5)
    header, *rest = lines(path)
    assert header["format"] == "sheetsync-snapshot" and header["entity"] == "researchers"
    assert header["base_url"] == server.base_url and header["sheetsync_version"]
    records = [line for line in rest if "id" in line]
    assert summary.records == len(records) == 5
    api = Api(server.base_url)
    for line in records:
        answered = api.get(f"/esploro/v1/researchers/{line['id']}?view=full").text
        assert line["raw"] == answered
    tables = {line["code_table"] for line in rest if "code_table" in line}
    assert {"UserGroups", "OrganizationPositions"} <= tables == set(summary.code_tables)
    assert any("organizations" in line for line in rest) and summary.organizations > 0


def test_assets_listed_by_filter_are_sliced_byte_exact_out_of_each_page(
    server: Sandbox, client: EsploroClient, tmp_path: Path
) -> None:
    path = tmp_path / "assets.jsonl"
    summary = sheetsync.snapshot(client, "assets", path, updated_since="1900-01-01")
    records = [line for line in lines(path) if "id" in line]
    assert summary.records == len(records) == 131  # two pages, and the captured asset
    pages = [
        Api(server.base_url).get(
            f"/esploro/v1/assets?update_date_from=1900-01-01&limit=100&offset={o}"
        )
        for o in (0, 100)
    ]
    texts = [item.text for page in pages for item in raw_items(page.text, "records")]
    assert [line["raw"] for line in records] == texts
    assert records[0]["raw"] in pages[0].text  # a slice of the page, not a re-encoding


def test_the_captured_asset_by_id_is_its_exact_text(client: EsploroClient, tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    sheetsync.snapshot(client, "assets", path, ids=[CAPTURED_ASSET_ID])
    (record,) = [line for line in lines(path) if "id" in line]
    captured = (Path(__file__).parents[1] / "sheetsync/sandbox/data/captured_asset.json").read_text(
        encoding="utf-8"
    )
    (expected,) = raw_items(captured, "records")
    assert record == {"id": CAPTURED_ASSET_ID, "raw": expected.text}


def test_the_file_is_the_owners_alone(client: EsploroClient, tmp_path: Path) -> None:
    path = tmp_path / "people.jsonl"
    sheetsync.snapshot(client, "researchers", path, limit=1)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_ids_esploro_lacks_are_listed_and_skipped(
    server: Sandbox, client: EsploroClient, tmp_path: Path
) -> None:
    (known,) = Api(server.base_url).researcher_ids(1)
    path = tmp_path / "people.jsonl"
    summary = sheetsync.snapshot(client, "researchers", path, ids=[known, "no-such-person"])
    assert summary.records == 1 and summary.missing_ids == ("no-such-person",)
    assert [line["id"] for line in lines(path) if "id" in line] == [known]


def test_a_template_brings_its_code_tables_and_a_missing_table_is_a_warning(
    client: EsploroClient, tmp_path: Path
) -> None:
    template = tmp_path / "t.toml"
    builtin = Path(__file__).parents[1] / "templates" / "researchers.toml"
    text = builtin.read_text(encoding="utf-8")
    changed = text.replace('code_table = "OrganizationPositions"', 'code_table = "NoSuchTable"')
    template.write_text(changed, "utf-8")
    summary = sheetsync.snapshot(client, str(template), tmp_path / "p.jsonl", limit=1)
    assert "NoSuchTable" not in summary.code_tables
    (warning,) = summary.warnings
    assert "NoSuchTable" in warning and "left out of the snapshot" in warning


def test_nothing_selected_leaves_no_file(client: EsploroClient, tmp_path: Path) -> None:
    path = tmp_path / "none.jsonl"
    with pytest.raises(NothingToExport):
        sheetsync.snapshot(client, "researchers", path, ids=["no-such-person"])
    assert not path.exists() and not list(tmp_path.iterdir())


def test_assets_need_a_filter_as_for_export(client: EsploroClient, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="--updated-since"):
        sheetsync.snapshot(client, "assets", tmp_path / "a.jsonl")
    assert not (tmp_path / "a.jsonl").exists()
