"""`sheetsync sandbox`'s options for what the evidence leaves open, run as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from sheetsync.errors import EXIT_USAGE
from tests.conftest import Api

SHEETSYNC = [sys.executable, "-m", "sheetsync", "sandbox", "--port", "0", "--memory"]
CAPTURED_ID = "991291935000561"


def test_the_evidence_options_reach_the_running_sandbox() -> None:
    options = ["--asset-put", "--json-identifiers", "accept", "--views-per-second", "200"]
    options += ["--tracking-ids", "E02", "--json", "--researchers", "3", "--assets", "5"]
    process = subprocess.Popen(
        [*SHEETSYNC, *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        facts = json.loads(process.stdout.readline())
        assert facts["asset_put"] is True and facts["json_identifiers"] == "accept"
        assert facts["views_per_second"] == 200 and facts["tracking_ids"] == "E02"
        api = Api(facts["base_url"])
        url = f"/esploro/v1/assets/{CAPTURED_ID}"
        record = api.get(url).json()["records"][0]
        assert api.put(url, {"records": [record]}).status_code == 200  # --asset-put
        body = {"records": [{"identifier.pmid": "42"}]}
        patched = api.request("POST", f"{url}?op=patch&action=replace", json_body=body)
        assert patched.json()["records"][0]["identifier.pmid"] == "42"  # --json-identifiers
        error = api.get("/esploro/v1/assets").json()["errorList"]["error"][0]
        assert error["trackingId"].startswith("E02-")  # --tracking-ids
        everything = "/esploro/v1/assets?update_date_from=1900-01-01"

        def views() -> int:
            return sum(r.get("asset.views", 0) for r in api.get(everything).json()["records"])

        before = views()
        time.sleep(0.3)
        assert views() > before  # --views-per-second
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.parametrize(
    "option",
    [["--json-identifiers", "maybe"], ["--tracking-ids", "E03"], ["--views-per-second", "-1"]],
)
def test_a_bad_option_value_is_a_usage_error(option: list[str]) -> None:
    result = subprocess.run(
        [*SHEETSYNC, *option], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == EXIT_USAGE
    assert option[0] in result.stderr + result.stdout


def test_defaults_are_the_stricter_choices() -> None:
    from sheetsync.sandbox import SandboxConfig

    config = SandboxConfig()
    assert (config.asset_put, config.json_identifiers) == (False, "ignore")
    assert (config.views_per_second, config.tracking_ids) == (0.0, "E01")
    assert config.multilingual is False


def test_multilingual_seeds_the_multilingual_researcher_fields() -> None:
    options = ["--multilingual", "--json", "--researchers", "8", "--assets", "2"]
    process = subprocess.Popen(
        [*SHEETSYNC, *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        facts = json.loads(process.stdout.readline())
        assert facts["multilingual"] is True
        api = Api(facts["base_url"])
        profiles = [
            api.get(f"/esploro/v1/researchers/{i}").json()["researcher"]
            for i in api.researcher_ids()
        ]
        assert any(p.get("display_title_multilingual") for p in profiles)
        assert all(p["display_title"] == "" and p["researcher_keyword"] == [] for p in profiles)
    finally:
        process.terminate()
        process.wait(10)
