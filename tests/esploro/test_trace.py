"""`--trace FILE`: every exchange with Esploro as a JSON line, with no trace of the key."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from sheetsync import api
from sheetsync.esploro.entities import RESEARCHERS
from sheetsync.esploro.trace import TRACE_FORMAT, Trace, headers_without_key, url_without_key
from tests.cli.runner import run
from tests.conftest import Api, start_sandbox
from tests.plans import edit

KEY = "tr4ce-KEY-9f31c0d2e7"
KEYS = {KEY: "rw"}
TITLE = "Display title"


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_key_is_in_no_byte_of_the_traces_of_a_whole_loop(tmp_path: Path) -> None:
    with start_sandbox(keys=KEYS, researchers=12, assets=3) as server:
        fast = ("--rate", "500", "--base-url", server.base_url)
        env = {"ESPLORO_API_KEY": KEY}
        book = tmp_path / "people.xlsx"
        steps = {
            "export": ("export", "researchers", "-o", str(book), "--limit", "6"),
            "plan": ("plan", str(book)),
            "apply": ("apply", "people.plan.json", "--yes"),
            "rollback": ("rollback", "people.plan.json", "--yes"),
            "check": ("check",),
            "snapshot": ("snapshot", "researchers", "-o", "people.jsonl", "--limit", "2"),
        }
        codes = {"export": 0, "plan": 2, "apply": 0, "rollback": 0, "check": 0, "snapshot": 0}
        for name, args in steps.items():
            if name == "plan":
                ids = Api(server.base_url, KEY).researcher_ids(6)
                edit(book, {(i, TITLE): f"Traced title {n}" for n, i in enumerate(ids[:3])})
            trace = tmp_path / f"{name}.trace.jsonl"
            extra = fast if name != "check" else fast[2:]
            done = run(tmp_path, *args, *extra, "--trace", str(trace), **env)
            assert done.returncode == codes[name], done.stderr
    everything = b"".join((tmp_path / f"{n}.trace.jsonl").read_bytes() for n in steps)
    assert KEY.encode() not in everything
    assert b"apikey " not in everything.lower()
    methods = {
        (line["method"], line["status"])
        for name in steps
        for line in lines(tmp_path / f"{name}.trace.jsonl")[1:]
    }
    assert ("GET", 200) in methods and ("PUT", 200) in methods  # reads, and the writes
    applied = lines(tmp_path / "apply.trace.jsonl")
    assert applied[0]["format"] == TRACE_FORMAT
    put = next(line for line in applied[1:] if line["method"] == "PUT")
    assert "Traced title" in put["request"]["body"] and "Traced title" in put["body"]
    assert not any(name.lower() == "authorization" for name in put["request"]["headers"])
    for name in steps:
        mode = stat.S_IMODE((tmp_path / f"{name}.trace.jsonl").stat().st_mode)
        assert mode == 0o600, name


def test_a_trace_from_python_holds_the_answer_as_received(tmp_path: Path) -> None:
    with start_sandbox(researchers=3, assets=0) as server:
        trace_path = tmp_path / "t.jsonl"
        with api.connect(base_url=server.base_url, api_key=server.api_key, trace=trace_path) as c:
            (primary_id,) = list(RESEARCHERS.list_ids(c, limit=1))
            _, text = c.get_text(f"researchers/{primary_id}", {"view": "full"})
        written = lines(trace_path)
    assert written[-1]["body"] == text
    assert written[-1]["url"].endswith(f"/researchers/{primary_id}?view=full")
    assert written[-1]["headers"]["X-Exl-Api-Remaining"].isdigit()


def test_an_existing_file_becomes_owner_only_and_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "old.jsonl"
    path.write_text("old\n", encoding="utf-8")
    path.chmod(0o644)
    with Trace(path) as trace:
        trace.exchange("GET", "http://x/a", {}, None, 200, {}, b"{}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "old" not in path.read_text(encoding="utf-8")


def test_a_failed_request_is_traced_with_its_reason(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    with (
        start_sandbox(researchers=0, assets=0) as server,
        api.connect(base_url=server.base_url, api_key=server.api_key, trace=path) as client,
    ):
        base_url = client.base_url
    with api.connect(base_url=base_url, api_key=KEY, trace=path) as client:
        client.max_retries = 0
        with pytest.raises(Exception, match="no answer"):
            client.request("GET", "researchers", {"apikey": KEY})
    (line,) = lines(path)[1:]
    assert line["status"] is None and line["failure"]
    assert KEY not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://h/esploro/v1/x?apikey=SECRET&limit=1", "https://h/esploro/v1/x?limit=1"),
        ("https://h/x?APIKEY=SECRET", "https://h/x"),
        ("https://h/x", "https://h/x"),
    ],
)
def test_urls_lose_their_apikey_parameter(url: str, expected: str) -> None:
    assert url_without_key(url) == expected


def test_headers_lose_authorization_in_any_case() -> None:
    kept = headers_without_key({"authorization": "apikey x", "Accept": "application/json"})
    assert kept == {"Accept": "application/json"}
