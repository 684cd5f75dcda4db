"""An affiliation date typed without the trailing Z is written in Esploro's form.

Esploro's researcher dates look like "2022-06-18Z" (evidence: alma-user.json). A librarian
types 2023-01-02; the plan writes "2023-01-02Z", so the stored value reads back as what was
sent and apply's verification has nothing to warn about.
"""

from __future__ import annotations

from pathlib import Path

import sheetsync
from sheetsync.sandbox import READ_WRITE_KEY
from tests.conftest import Api, start_sandbox
from tests.plans import edit

START = "Affiliation start date"


def test_a_date_typed_without_z_is_written_with_it(tmp_path: Path) -> None:
    with start_sandbox(researchers=10, assets=5) as server:
        api = Api(server.base_url)
        record = next(
            r
            for r in (api.get(f"/esploro/v1/researchers/{i}").json() for i in api.researcher_ids())
            if str(
                (r["researcher"]["researcher_organization_affiliation"] or [{}])[0].get(
                    "start_date", ""
                )
            ).endswith("Z")
        )
        record_id = record["primary_id"]
        with sheetsync.connect(base_url=server.base_url, api_key=READ_WRITE_KEY) as client:
            workbook = tmp_path / "people.xlsx"
            sheetsync.export(client, "researchers", workbook, ids=[record_id])
            edit(workbook, {(record_id, START): "2023-01-02"})
            plan = sheetsync.plan(client, workbook)
            (planned,) = plan.records
            assert [op["value"] for op in planned.patch] == ["2023-01-02Z"]
            result = sheetsync.apply(client, plan, journal=tmp_path / "journal.jsonl")
        assert result.ok and not result.results[0].warnings
        stored = api.get(f"/esploro/v1/researchers/{record_id}").json()
        affiliation = stored["researcher"]["researcher_organization_affiliation"][0]
        assert affiliation["start_date"] == "2023-01-02Z"
