"""Soak: apply under injected faults, SIGKILLs and a colleague's edits; every record must end
exactly as intended or untouched.

    python bench/soak.py [--records 5000] [--kills 10] [--seed 1]

A sandbox runs in its own process (`--rate-limit 25 --latency-ms 20`). RECORDS researchers are
exported, each display title edited, the plan made, and every planned record read once to hold
its before-image. Then faults go on (5% of requests fail with 500/503, 2% of writes are
committed and their answer dropped), a colleague process edits 2% of the planned records at
random moments through `/_sandbox/` (a save in the Esploro UI), and `sheetsync apply --yes
--rate 25` runs as a subprocess that is SIGKILLed KILLS times at random moments and re-run,
then run until it finishes and a last run changes nothing. Faults go off and every planned
record is read and classified:

  (a) exactly as intended (or as intended, then edited by the colleague afterwards)
  (b) untouched: the before-image, or the colleague's last save
  (c) anything else: a bug
  (d) a PUT built on a stale read: sheetsync's title without the colleague's last name, i.e.
      the colleague's save landed between apply's GET and PUT and was overwritten. Esploro has
      no ETag, so apply cannot prevent this; the soak measures it.

Exit code 1 if (c) or (d) is not zero.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from sheetsync.applying.journal import Journal, journal_path
from sheetsync.applying.run import proposed_record
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import RESEARCHERS, Selection
from sheetsync.exporting import export_records
from sheetsync.planning.build import build_plan
from sheetsync.planning.file import read_plan, write_plan
from sheetsync.planning.model import Plan
from sheetsync.sandbox import READ_WRITE_KEY
from sheetsync.sandbox.schema import merge_patch
from sheetsync.template import load_template
from sheetsync.workbook.edit import set_cells
from sheetsync.workbook.reader import read_export

Record = dict[str, Any]
RATE = 25.0
COLLEAGUE_SHARE = 0.02
INTENDED, UNTOUCHED, OTHER, STALE_PUT = "a", "b", "c", "d"
LABELS = {
    INTENDED: "(a) exactly as intended",
    UNTOUCHED: "(b) untouched (before, or the colleague's last save)",
    OTHER: "(c) anything else",
    STALE_PUT: "(d) PUT built on a stale read (colleague's save overwritten)",
}


# -- shared with tests/test_soak.py ----------------------------------------------------------


def prepare(client: EsploroClient, folder: Path, records: int, title: str = "Soak title") -> Path:
    """What a person does before apply: export RECORDS researchers, edit every display title,
    plan, save the plan. Returns the plan's path. (bench/apply_throughput.py uses it too.)"""
    workbook = folder / "people.xlsx"
    export_records(client, load_template("researchers"), workbook, Selection(limit=records))
    ids = list(read_export(workbook).baseline)
    set_cells(workbook, {(i, "Display title"): f"{title} {n}" for n, i in enumerate(ids)})
    plan_path = folder / "people.plan.json"
    write_plan(build_plan(client, workbook), plan_path)
    return plan_path


def planned_ids(plan: Plan) -> list[str]:
    return [r.record_id for r in plan.records if r.status == "change"]


def read_befores(client: EsploroClient, ids: Sequence[str], workers: int = 8) -> dict[str, Record]:
    """Every planned record as it is now (after planning, before any apply)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip(ids, pool.map(lambda i: RESEARCHERS.get(client, i), ids), strict=True))


def intended_records(plan: Plan, befores: Mapping[str, Record]) -> dict[str, Record]:
    """What apply should leave in each planned record if nobody else touches it."""
    return {
        r.record_id: proposed_record(befores[r.record_id], r, allow_clears=False)
        for r in plan.records
        if r.record_id in befores
    }


def colleague_patch(n: int) -> Record:
    return {"last_name": f"Colleague-{n}"}


def colleague_edit(base_url: str, record_id: str, n: int) -> Record:
    """One save by a colleague in the Esploro UI. Returns what it wrote down: the record ID,
    the merge patch and the record as stored right after it."""
    patch = colleague_patch(n)
    response = requests.patch(
        f"{base_url}/_sandbox/researchers/{record_id}", json=patch, timeout=30
    )
    response.raise_for_status()
    return {"record_id": record_id, "patch": patch, "after": response.json(), "at": time.time()}


def last_colleague_edits(edits: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """Each edited record's last colleague save."""
    latest: dict[str, Mapping[str, Any]] = {}
    for edit in edits:
        latest[str(edit["record_id"])] = edit
    return latest


def _title(record: Mapping[str, Any]) -> Any:
    return (record.get("researcher") or {}).get("display_title")


def classify(
    final: Record,
    before: Record,
    intended: Record,
    colleague: Mapping[str, Any] | None = None,
) -> str:
    """(a), (b), (c) or (d) for one record's final state; see the module docstring."""
    if final == intended and colleague is None:
        return INTENDED
    if final == before and colleague is None:
        return UNTOUCHED
    if colleague is None:
        return OTHER
    patch = colleague["patch"]
    if final == merge_patch(intended, patch):  # written, then the colleague saved over it
        return INTENDED
    if final == merge_patch(before, patch):  # the colleague's save (its answer has no link)
        return UNTOUCHED
    if _title(final) == _title(intended) and final.get("last_name") != patch.get("last_name"):
        return STALE_PUT
    return OTHER


@dataclass
class Verdicts:
    by_class: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in LABELS})
    journal: Counter[str] = field(default_factory=Counter)
    # a record whose journal disagrees with its final state: (id, class, last journal event)
    disagreements: list[tuple[str, str, str]] = field(default_factory=list)

    def count(self, key: str) -> int:
        return len(self.by_class[key])


def journal_events(plan_path: Path, plan: Plan) -> dict[str, str]:
    """Each planned record's last journal event ("none" if never journaled)."""
    last = Journal(journal_path(plan_path), plan.checksum).last_events()
    return {i: (last[i].event if i in last else "none") for i in planned_ids(plan)}


def verify(
    finals: Mapping[str, Record],
    befores: Mapping[str, Record],
    intendeds: Mapping[str, Record],
    colleague: Mapping[str, Mapping[str, Any]],
    events: Mapping[str, str],
) -> Verdicts:
    verdicts = Verdicts()
    for record_id, final in finals.items():
        kind = classify(final, befores[record_id], intendeds[record_id], colleague.get(record_id))
        verdicts.by_class[kind].append(record_id)
        event = events.get(record_id, "none")
        verdicts.journal[event] += 1
        if (kind == INTENDED) != (event == "done") and kind in (INTENDED, UNTOUCHED):
            verdicts.disagreements.append((record_id, kind, event))
    return verdicts


def apply_command(plan_path: Path, rate: float, workers: int | None = None) -> list[str]:
    command = [sys.executable, "-m", "sheetsync", "apply", str(plan_path), "--yes"]
    command += ["--rate", f"{rate:g}"]
    if workers is not None:
        command += ["--workers", str(workers)]
    return command


def apply_env(base_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "ESPLORO_API_KEY": READ_WRITE_KEY,
        "ESPLORO_BASE_URL": base_url,
        "COLUMNS": "200",
    }


def start_apply(command: Sequence[str], env: Mapping[str, str], log: Path) -> subprocess.Popen[str]:
    with open(log, "a", encoding="utf-8") as stream:
        return subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=stream,
            stderr=subprocess.STDOUT,
            text=True,
            env=dict(env),
        )


def kill(process: subprocess.Popen[str]) -> bool:
    """SIGKILL the run if it is still going. True if it was killed."""
    if process.poll() is not None:
        return False
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    return True


def settled(plan_path: Path, plan: Plan) -> frozenset[str]:
    """Records whose journal says they are finished: done, no-op or stale."""
    events = journal_events(plan_path, plan)
    return frozenset(i for i, e in events.items() if e in ("done", "no-op", "stale"))


def run_to_the_end(
    command: Sequence[str],
    env: Mapping[str, str],
    plan_path: Path,
    plan: Plan,
    log: Path,
    max_runs: int,
) -> tuple[int, int | None]:
    """Run apply until it exits 0, or 3 with a run that settled nothing new. Returns (runs,
    last exit code)."""
    runs, code = 0, None
    while runs < max_runs:
        done_before = settled(plan_path, plan)
        process = start_apply(command, env, log)
        code = process.wait(timeout=3600)
        runs += 1
        if code == 0 or (code == 3 and settled(plan_path, plan) == done_before):
            break
    return runs, code


# -- the bench -------------------------------------------------------------------------------


def start_sandbox(researchers: int, seed: int) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "sheetsync", "sandbox", "--port", "0", "--memory", "--json"]
    command += ["--researchers", str(researchers), "--assets", "5", "--rate-limit", f"{RATE:g}"]
    command += ["--latency-ms", "20", "--seed", str(seed)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    base_url = str(json.loads(process.stdout.readline())["base_url"])
    stdout = process.stdout
    threading.Thread(target=lambda: [None for _ in stdout], daemon=True).start()  # drain
    return process, base_url


def set_faults(base_url: str, **faults: float) -> None:
    requests.patch(f"{base_url}/_sandbox/faults", json=faults, timeout=10).raise_for_status()


def colleague_main(base_url: str, ids_file: Path, out: Path, seconds: float, seed: int) -> None:
    """The colleague process: one save on each listed record at a random moment within
    SECONDS, then stop. Writes what it did to OUT after every save."""
    ids = json.loads(ids_file.read_text(encoding="utf-8"))
    rng = random.Random(seed)
    moments = sorted(rng.uniform(0.0, seconds) for _ in ids)
    started = time.monotonic()
    edits: list[Record] = []
    for n, (record_id, moment) in enumerate(zip(ids, moments, strict=True)):
        time.sleep(max(0.0, started + moment - time.monotonic()))
        try:
            edits.append(colleague_edit(base_url, record_id, n))
        except requests.RequestException as exc:
            print(f"colleague: {record_id}: {exc}", file=sys.stderr)
        out.write_text(json.dumps(edits), encoding="utf-8")
    out.write_text(json.dumps(edits), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--colleague", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--ids-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=60.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.colleague:
        colleague_main(args.base_url, args.ids_file, args.out, args.seconds, args.seed)
        return 0

    rng = random.Random(args.seed)
    started = time.perf_counter()
    process, base_url = start_sandbox(args.records + 50, args.seed)
    try:
        with tempfile.TemporaryDirectory() as name:
            return soak(base_url, Path(name), args.records, args.kills, args.seed, rng, started)
    finally:
        process.terminate()
        process.wait(timeout=30)


def soak(
    base_url: str,
    folder: Path,
    records: int,
    kills: int,
    seed: int,
    rng: random.Random,
    started: float,
) -> int:
    with EsploroClient(base_url, READ_WRITE_KEY, rate=RATE, workers=8) as client:
        plan_path = prepare(client, folder, records)
        plan = read_plan(plan_path)
        ids = planned_ids(plan)
        befores = read_befores(client, ids)
    intendeds = intended_records(plan, befores)
    print(f"prepared {len(ids)} changes in {time.perf_counter() - started:.0f} s", flush=True)

    requests.delete(f"{base_url}/_sandbox/stats", timeout=10)
    set_faults(base_url, fail_rate=0.05, drop_rate=0.02)
    estimate = 2 * len(ids) / RATE  # one GET and one PUT per record, at the rate
    chosen = rng.sample(ids, max(1, round(COLLEAGUE_SHARE * len(ids))))
    ids_file, colleague_out = folder / "colleague-ids.json", folder / "colleague.json"
    ids_file.write_text(json.dumps(chosen), encoding="utf-8")
    colleague = subprocess.Popen(
        [
            *(sys.executable, __file__, "--colleague", "--base-url", base_url),
            *("--ids-file", str(ids_file), "--out", str(colleague_out)),
            *("--seconds", f"{estimate:.1f}", "--seed", str(seed)),
        ]
    )

    command, env, log = apply_command(plan_path, RATE), apply_env(base_url), folder / "apply.log"
    runs = kills_done = 0
    codes: Counter[int] = Counter()
    while kills_done < kills and runs < kills + 10:
        run = start_apply(command, env, log)
        runs += 1
        time.sleep(rng.uniform(1.0, max(2.0, 2 * estimate / (kills + 1))))
        if kill(run):
            kills_done += 1
            continue
        codes[run.returncode] += 1
        if run.returncode in (0, 3):
            break
    more, code = run_to_the_end(command, env, plan_path, plan, log, kills + 10 - runs + 2)
    runs += more
    try:
        colleague.wait(timeout=estimate + 60)
    except subprocess.TimeoutExpired:
        colleague.kill()
    set_faults(base_url, fail_rate=0.0, drop_rate=0.0)
    stats = requests.get(f"{base_url}/_sandbox/stats", timeout=10).json()

    edits = json.loads(colleague_out.read_text(encoding="utf-8")) if colleague_out.exists() else []
    with EsploroClient(base_url, READ_WRITE_KEY, rate=RATE, workers=8) as client:
        finals = read_befores(client, ids)
    verdicts = verify(
        finals, befores, intendeds, last_colleague_edits(edits), journal_events(plan_path, plan)
    )
    report(verdicts, len(ids), kills_done, runs, code, edits, stats, started)
    if code not in (0, 3):
        print("--- apply log (last 40 lines) ---")
        print("\n".join(log.read_text(encoding="utf-8").splitlines()[-40:]))
    return 1 if verdicts.count(OTHER) or verdicts.count(STALE_PUT) else 0


def report(
    verdicts: Verdicts,
    records: int,
    kills_done: int,
    runs: int,
    code: int | None,
    edits: Sequence[Mapping[str, Any]],
    stats: Mapping[str, Any],
    started: float,
) -> None:
    print(f"records                {records}")
    print(f"kills done             {kills_done}")
    print(f"apply runs             {runs} (last exit code {code})")
    print(f"colleague saves        {len(edits)}")
    for key, label in LABELS.items():
        ids = verdicts.by_class[key]
        shown = f"  {', '.join(ids[:20])}{' ...' if len(ids) > 20 else ''}" if key != "a" else ""
        if key == "b" or not ids:
            shown = ""
        print(f"{label:62} {len(ids)}{shown}")
    print("journal last events    " + ", ".join(f"{k} {v}" for k, v in verdicts.journal.items()))
    if verdicts.disagreements:
        print(f"journal disagrees with the final state: {len(verdicts.disagreements)}")
        for record_id, kind, event in verdicts.disagreements[:20]:
            print(f"  {record_id}: final ({kind}), journal {event}")
    by_status = ", ".join(f"{k} {v}" for k, v in sorted(stats.get("by_status", {}).items()))
    print(f"requests during apply  {stats.get('total')} ({by_status})")
    print(f"elapsed                {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
