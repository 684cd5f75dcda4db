"""Soak: apply under injected faults, SIGKILLs and a colleague's edits; every record must end
exactly as intended or untouched.

    python bench/soak.py [--entity researchers|assets] [--records 5000] [--kills 10] [--seed 1]
        [--rollback]

A sandbox runs in its own process (`--rate-limit 25 --latency-ms 20`). RECORDS records are
exported with the built-in template of the entity and edited as a person would: each
researcher's display title (written by a swap-all PUT), or each asset's DOI and publication
date (written by op=patch; the assets API has no PUT, and the sandbox's portal visitors bump
`asset.views` all the time, `--views-per-second 20`). The plan is made and every planned record
read once to hold its before-image. Then faults go on (5% of requests fail with 500/503, 2% of
writes are committed and their answer dropped), a colleague process saves 2% of the planned
records at random moments through `/_sandbox/` (a save in the Esploro UI) in a field the plan
does not write (a researcher's `last_name`, an asset's `identifier.pmid`), and `sheetsync apply
--yes --rate 25` runs as a subprocess that is SIGKILLed KILLS times at random moments and
re-run, then run until it finishes and a last run changes nothing. Faults go off and every
planned record is read and classified on its non-volatile fields (`sheetsync.records.comparable`:
view and download counters aside):

  (a) exactly as intended: the planned fields as planned, and where the colleague saved, the
      colleague's field as the colleague left it (apply merges a change to another field)
  (b) untouched: the before-image, or the colleague's last save alone
  (c) anything else: a bug
  (d) a write built on a stale read: the planned fields as planned but the colleague's field
      not as the colleague left it, i.e. the colleague's save landed between apply's GET and
      its write and was overwritten. Esploro has no ETag, so apply cannot prevent this for a
      swap-all PUT; the soak measures it. (An op=patch sends only the planned fields.)

With `--rollback`, `sheetsync rollback` then runs the same way (faults on, SIGKILLed KILLS
times, run again to the end), and every planned record is read again: (r) back as the journal's
before-image, (n) as before but for fields that were empty before (op=patch cannot empty one),
(s) left alone because it changed since sheetsync wrote it, (w) never written by apply and
unchanged, or (x) anything else, a bug.

Exit code 1 if (c), (d) or (x) is not zero, or if an assets soak sent any PUT.
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from sheetsync.applying.journal import Journal, journal_path
from sheetsync.applying.run import proposed_record
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import EVERYTHING_SINCE, Entity, Selection, entity_of
from sheetsync.exporting import export_records
from sheetsync.planning.build import build_plan
from sheetsync.planning.file import read_plan, write_plan
from sheetsync.planning.model import Plan
from sheetsync.records import comparable
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
    STALE_PUT: "(d) write built on a stale read (colleague's save overwritten)",
}
ENTITY_NAMES = ("researchers", "assets")
# The field each entity's colleague saves: one the soak's plan never writes.
COLLEAGUE_FIELDS = {"researchers": "last_name", "assets": "identifier.pmid"}


# -- shared with tests/test_soak.py ----------------------------------------------------------


def prepare(
    client: EsploroClient,
    folder: Path,
    records: int,
    title: str = "Soak title",
    entity: str = "researchers",
) -> Path:
    """What a person does before apply: export RECORDS records with the entity's built-in
    template, edit each one (`person_edits`), plan, save the plan. Returns the plan's path.
    (bench/apply_throughput.py uses it too.)"""
    workbook = folder / f"{entity}.xlsx"
    if entity == "assets":  # the assets API lists only by filter: every asset
        selection = Selection(updated_since=EVERYTHING_SINCE, limit=records)
    else:
        selection = Selection(limit=records)
    export_records(client, load_template(entity), workbook, selection)
    ids = list(read_export(workbook).baseline)
    changes = {
        (record_id, header): value
        for n, record_id in enumerate(ids)
        for header, value in person_edits(entity, n, title).items()
    }
    set_cells(workbook, changes)
    plan_path = folder / f"{entity}.plan.json"
    write_plan(build_plan(client, workbook), plan_path)
    return plan_path


def person_edits(entity: str, n: int, title: str = "Soak title") -> dict[str, str]:
    """The cells a person edits in the Nth row: a researcher's display title; an asset's DOI
    and publication date (YYYYMMDD, as the template asks)."""
    if entity == "assets":
        slug = "-".join(title.lower().split())
        return {
            "DOI": f"10.5555/{slug}.{n}",
            "Publication date": f"2025{n % 12 + 1:02d}{n % 28 + 1:02d}",
        }
    return {"Display title": f"{title} {n}"}


def planned_ids(plan: Plan) -> list[str]:
    return [r.record_id for r in plan.records if r.status == "change"]


def read_befores(
    client: EsploroClient, ids: Sequence[str], entity: str = "researchers"
) -> dict[str, Record]:
    """Every planned record as it is now (after planning, before any apply): researchers one
    GET each, assets 100 to a GET, concurrently on the client's workers."""
    adapter: Entity = entity_of(entity)
    found = dict(zip(ids, adapter.fetch(client, ids), strict=True))
    missing = [i for i, record in found.items() if record is None]
    if missing:
        raise RuntimeError(f"{entity} not found: {', '.join(missing[:10])}")
    return {i: record for i, record in found.items() if record is not None}


def intended_records(plan: Plan, befores: Mapping[str, Record]) -> dict[str, Record]:
    """What apply should leave in each planned record if nobody else touches it."""
    return {
        r.record_id: proposed_record(befores[r.record_id], r, allow_clears=False)
        for r in plan.records
        if r.record_id in befores
    }


def colleague_patch(n: int, entity: str = "researchers") -> Record:
    """The Nth colleague save: a field the plan does not write."""
    if entity == "assets":
        return {COLLEAGUE_FIELDS[entity]: str(90_000_000 + n)}
    return {COLLEAGUE_FIELDS[entity]: f"Colleague-{n}"}


def colleague_edit(base_url: str, record_id: str, n: int, entity: str = "researchers") -> Record:
    """One save by a colleague in the Esploro UI (`PATCH /_sandbox/{entity}/{id}`, an RFC 7386
    merge patch). Returns what it wrote down: the record ID, the merge patch and the record as
    stored right after it."""
    patch = colleague_patch(n, entity)
    response = requests.patch(f"{base_url}/_sandbox/{entity}/{record_id}", json=patch, timeout=30)
    response.raise_for_status()
    return {"record_id": record_id, "patch": patch, "after": response.json(), "at": time.time()}


def last_colleague_edits(edits: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """Each edited record's last colleague save."""
    latest: dict[str, Mapping[str, Any]] = {}
    for edit in edits:
        latest[str(edit["record_id"])] = edit
    return latest


def planned_fields(before: Mapping[str, Any], intended: Mapping[str, Any]) -> set[str]:
    """The top-level fields apply changes in a record: where the intended record differs."""
    return {k for k in set(before) | set(intended) if before.get(k, ...) != intended.get(k, ...)}


def classify(
    final: Record,
    before: Record,
    intended: Record,
    colleague: Mapping[str, Any] | None = None,
) -> str:
    """(a), (b), (c) or (d) for one record's final state, on its non-volatile fields (a view
    counter moving is nobody's edit); see the module docstring."""
    final, before, intended = comparable(final), comparable(before), comparable(intended)
    if final == intended and colleague is None:
        return INTENDED
    if final == before and colleague is None:
        return UNTOUCHED
    if colleague is None:
        return OTHER
    patch = colleague["patch"]
    # Planned fields as intended and the colleague's as the colleague left it, in either order:
    # written, then the colleague saved; or the colleague saved, then apply merged.
    if final == merge_patch(intended, patch):
        return INTENDED
    if final == merge_patch(before, patch):  # the colleague's save alone
        return UNTOUCHED
    as_planned = all(final.get(k) == intended.get(k) for k in planned_fields(before, intended))
    if as_planned and merge_patch(final, patch) != final:  # the colleague's save overwritten
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


# What rollback left in each record apply was asked to change.
RESTORED, UNRESTORABLE, LEFT_ALONE, NEVER_WRITTEN, ROLLBACK_OTHER = "r", "n", "s", "w", "x"
ROLLBACK_LABELS = {
    RESTORED: "(r) back as it was before the apply",
    UNRESTORABLE: "(n) as before but for fields empty before (op=patch cannot empty one)",
    LEFT_ALONE: "(s) left alone: changed since sheetsync wrote it",
    NEVER_WRITTEN: "(w) never written by apply, unchanged",
    ROLLBACK_OTHER: "(x) anything else",
}


def first_befores(plan_path: Path, plan: Plan) -> dict[str, Record]:
    """Each record's before-image from the journal: the record as apply read it just before
    its first write (with any colleague save made before then)."""
    befores: dict[str, Record] = {}
    for entry in Journal(journal_path(plan_path), plan.checksum).entries():
        if entry.event == "begin" and entry.record_id not in befores:
            befores[entry.record_id] = dict(entry.data["before"])
    return befores


def classify_rollback(
    final: Record, applied: Record, before: Record | None, planned: set[str], event: str
) -> str:
    """(r), (n), (s), (w) or (x) for a record after rollback: `applied` is how apply left it,
    `before` the journal's before-image (None: apply never began a write of it), `planned`
    the fields the plan writes, `event` its last journal event."""
    final, applied = comparable(final), comparable(applied)
    if before is None:
        return NEVER_WRITTEN if final == applied else ROLLBACK_OTHER
    before = comparable(before)
    if final == before:
        return RESTORED
    if event == "rollback-skipped":
        return LEFT_ALONE if final == applied else ROLLBACK_OTHER
    others_kept = all(final.get(k) == applied.get(k) for k in (set(final) | set(applied)) - planned)
    kept = {k for k in planned if final.get(k) != before.get(k)}
    empty_before = all(before.get(k) in (None, "", [], {}) for k in kept)
    if others_kept and empty_before and all(final.get(k) == applied.get(k) for k in kept):
        return UNRESTORABLE
    return ROLLBACK_OTHER


def verify_rollback(
    finals: Mapping[str, Record],
    applieds: Mapping[str, Record],
    plan_path: Path,
    plan: Plan,
    planned: Mapping[str, set[str]],
) -> dict[str, list[str]]:
    """Every planned record's rollback class, by class."""
    befores, events = first_befores(plan_path, plan), journal_events(plan_path, plan)
    found: dict[str, list[str]] = {k: [] for k in ROLLBACK_LABELS}
    for record_id, final in finals.items():
        kind = classify_rollback(
            final, applieds[record_id], befores.get(record_id), planned[record_id],
            events.get(record_id, "none"),
        )  # fmt: skip
        found[kind].append(record_id)
    return found


def apply_command(
    plan_path: Path, rate: float, workers: int | None = None, verb: str = "apply"
) -> list[str]:
    """`sheetsync apply PLAN --yes --rate R` (or `rollback`, with `verb`)."""
    command = [sys.executable, "-m", "sheetsync", verb, str(plan_path), "--yes"]
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


APPLY_FINISHED = ("done", "no-op", "stale")
ROLLBACK_FINISHED = ("rollback-done", "rollback-skipped")


def kill_at_random(
    command: Sequence[str],
    env: Mapping[str, str],
    log: Path,
    kills: int,
    estimate: float,
    rng: random.Random,
) -> tuple[int, int]:
    """Start the run and SIGKILL it at a random moment, again and again until KILLS kills
    landed or a run finished by itself (exit 0 or 3); `estimate` is how long one whole run
    takes, in seconds. Returns (runs, kills landed)."""
    runs = kills_done = 0
    while kills_done < kills and runs < kills + 10:
        run = start_apply(command, env, log)
        runs += 1
        time.sleep(rng.uniform(1.0, max(2.0, 2 * estimate / (kills + 1))))
        if kill(run):
            kills_done += 1
        elif run.returncode in (0, 3):
            break
    return runs, kills_done


def settled(
    plan_path: Path, plan: Plan, finished: Sequence[str] = APPLY_FINISHED
) -> frozenset[str]:
    """Records whose journal says they are finished: done, no-op or stale (for a rollback:
    rolled back or left alone)."""
    events = journal_events(plan_path, plan)
    return frozenset(i for i, e in events.items() if e in finished)


def run_to_the_end(
    command: Sequence[str],
    env: Mapping[str, str],
    plan_path: Path,
    plan: Plan,
    log: Path,
    max_runs: int,
    finished: Sequence[str] = APPLY_FINISHED,
) -> tuple[int, int | None]:
    """Run apply (or rollback) until it exits 0, or 3 with a run that settled nothing new.
    Returns (runs, last exit code)."""
    runs, code = 0, None
    while runs < max_runs:
        done_before = settled(plan_path, plan, finished)
        process = start_apply(command, env, log)
        code = process.wait(timeout=3600)
        runs += 1
        if code == 0 or (code == 3 and settled(plan_path, plan, finished) == done_before):
            break
    return runs, code


# -- the bench -------------------------------------------------------------------------------


def start_sandbox(
    records: int, seed: int = 1, entity: str = "researchers", views_per_second: float = 20.0
) -> tuple[subprocess.Popen[str], str]:
    """A sandbox process seeded with RECORDS of the entity (and 5 of the other); for assets,
    portal visitors bump random assets' view counters VIEWS_PER_SECOND times a second."""
    researchers, assets = (5, records) if entity == "assets" else (records, 5)
    command = [sys.executable, "-m", "sheetsync", "sandbox", "--port", "0", "--memory", "--json"]
    command += ["--researchers", str(researchers), "--assets", str(assets)]
    command += ["--rate-limit", f"{RATE:g}", "--latency-ms", "20", "--seed", str(seed)]
    if entity == "assets" and views_per_second:
        command += ["--views-per-second", f"{views_per_second:g}"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    base_url = str(json.loads(process.stdout.readline())["base_url"])
    stdout = process.stdout
    threading.Thread(target=lambda: [None for _ in stdout], daemon=True).start()  # drain
    return process, base_url


def set_faults(base_url: str, **faults: float) -> None:
    requests.patch(f"{base_url}/_sandbox/faults", json=faults, timeout=10).raise_for_status()


def colleague_main(
    base_url: str, ids_file: Path, out: Path, seconds: float, seed: int, entity: str
) -> None:
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
            edits.append(colleague_edit(base_url, record_id, n, entity))
        except requests.RequestException as exc:
            print(f"colleague: {record_id}: {exc}", file=sys.stderr)
        out.write_text(json.dumps(edits), encoding="utf-8")
    out.write_text(json.dumps(edits), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entity", choices=ENTITY_NAMES, default="researchers")
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--rollback", action="store_true", help="then roll it all back the same way, and check"
    )
    parser.add_argument("--colleague", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--ids-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=60.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.colleague:
        colleague_main(args.base_url, args.ids_file, args.out, args.seconds, args.seed, args.entity)
        return 0

    rng = random.Random(args.seed)
    started = time.perf_counter()
    process, base_url = start_sandbox(args.records + 50, args.seed, args.entity)
    try:
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            options = (args.entity, args.records, args.kills, args.seed)
            return soak(base_url, folder, *options, rng, started, args.rollback)
    finally:
        process.terminate()
        process.wait(timeout=30)


def soak(
    base_url: str,
    folder: Path,
    entity: str,
    records: int,
    kills: int,
    seed: int,
    rng: random.Random,
    started: float,
    rollback: bool = False,
) -> int:
    with EsploroClient(base_url, READ_WRITE_KEY, rate=RATE, workers=8) as client:
        plan_path = prepare(client, folder, records, entity=entity)
        plan = read_plan(plan_path)
        ids = planned_ids(plan)
        befores = read_befores(client, ids, entity)
    intendeds = intended_records(plan, befores)
    print(f"prepared {len(ids)} changes in {time.perf_counter() - started:.0f} s", flush=True)

    requests.delete(f"{base_url}/_sandbox/stats", timeout=10)
    set_faults(base_url, fail_rate=0.05, drop_rate=0.02)
    estimate = 2 * len(ids) / RATE  # one GET and one write per record, at the rate
    chosen = rng.sample(ids, max(1, round(COLLEAGUE_SHARE * len(ids))))
    ids_file, colleague_out = folder / "colleague-ids.json", folder / "colleague.json"
    ids_file.write_text(json.dumps(chosen), encoding="utf-8")
    colleague = subprocess.Popen(
        [
            *(sys.executable, __file__, "--colleague", "--base-url", base_url),
            *("--ids-file", str(ids_file), "--out", str(colleague_out)),
            *("--seconds", f"{estimate:.1f}", "--seed", str(seed), "--entity", entity),
        ]
    )

    command, env, log = apply_command(plan_path, RATE), apply_env(base_url), folder / "apply.log"
    runs, kills_done = kill_at_random(command, env, log, kills, estimate, rng)
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
        finals = read_befores(client, ids, entity)
    verdicts = verify(
        finals, befores, intendeds, last_colleague_edits(edits), journal_events(plan_path, plan)
    )
    report(entity, verdicts, len(ids), kills_done, runs, code, edits, stats, started)
    if entity == "assets":
        viewed = sum(finals[i].get("asset.views") != befores[i].get("asset.views") for i in ids)
        print(f"views moved            on {viewed} of the {len(ids)} planned assets")
    if code not in (0, 3):
        print("--- apply log (last 40 lines) ---")
        print("\n".join(log.read_text(encoding="utf-8").splitlines()[-40:]))
    puts = put_requests(stats)
    if entity == "assets" and puts:
        print(f"FAILED: {puts} PUT requests during an assets apply (writes must be op=patch)")
    bad = verdicts.count(OTHER) or verdicts.count(STALE_PUT)
    if rollback:
        planned = {i: planned_fields(befores[i], intendeds[i]) for i in ids}
        wrong = rollback_phase(base_url, plan_path, plan, finals, planned, entity, kills, rng)
        bad = bad or wrong
    return 1 if bad or (entity == "assets" and puts) else 0


def rollback_phase(
    base_url: str,
    plan_path: Path,
    plan: Plan,
    applieds: Mapping[str, Record],
    planned: Mapping[str, set[str]],
    entity: str,
    kills: int,
    rng: random.Random,
) -> int:
    """`sheetsync rollback` under the same faults, SIGKILLed KILLS times at random moments
    and run again to the end; then every record is read and classified. Returns how many
    ended as anything else (x)."""
    started = time.perf_counter()
    requests.delete(f"{base_url}/_sandbox/stats", timeout=10)
    set_faults(base_url, fail_rate=0.05, drop_rate=0.02)
    estimate = 2 * len(applieds) / RATE
    command, env = apply_command(plan_path, RATE, verb="rollback"), apply_env(base_url)
    log = plan_path.with_name("rollback.log")
    runs, kills_done = kill_at_random(command, env, log, kills, estimate, rng)
    more, code = run_to_the_end(command, env, plan_path, plan, log, 10, ROLLBACK_FINISHED)
    set_faults(base_url, fail_rate=0.0, drop_rate=0.0)
    stats = requests.get(f"{base_url}/_sandbox/stats", timeout=10).json()
    with EsploroClient(base_url, READ_WRITE_KEY, rate=RATE, workers=8) as client:
        finals = read_befores(client, list(applieds), entity)
    found = verify_rollback(finals, applieds, plan_path, plan, planned)
    print(f"rollback kills done    {kills_done}")
    print(f"rollback runs          {runs + more} (last exit code {code})")
    for key, label in ROLLBACK_LABELS.items():
        listed = found[key] if key == ROLLBACK_OTHER else []
        print(f"{label:70} {len(found[key])}  {', '.join(listed[:20])}".rstrip())
    by_status = ", ".join(f"{k} {v}" for k, v in sorted(stats.get("by_status", {}).items()))
    print(f"requests in rollback   {stats.get('total')} ({by_status})")
    print(f"rollback elapsed       {time.perf_counter() - started:.0f} s")
    return len(found[ROLLBACK_OTHER])


def put_requests(stats: Mapping[str, Any]) -> int:
    """PUT requests in a `/_sandbox/stats` snapshot (the assets API has none)."""
    return int(stats.get("by_method", {}).get("PUT", 0))


def report(
    entity: str,
    verdicts: Verdicts,
    records: int,
    kills_done: int,
    runs: int,
    code: int | None,
    edits: Sequence[Mapping[str, Any]],
    stats: Mapping[str, Any],
    started: float,
) -> None:
    print(f"entity                 {entity}")
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
    methods = {"PUT": 0, **stats.get("by_method", {})}  # PUT shown even when there is none
    print("  by method            " + ", ".join(f"{k} {v}" for k, v in sorted(methods.items())))
    print(f"elapsed                {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
