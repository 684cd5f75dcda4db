"""What the command line prints reaches the terminal exactly: data is never read as markup.

Strings with `[`, `]`, `[bold]` and `[/]` go through every output path of the real CLI: an
error, a table, an export summary, a plan summary, the help.
"""

from __future__ import annotations

from pathlib import Path

from sheetsync.errors import EXIT_ERROR, EXIT_PROBLEMS
from sheetsync.sandbox import Sandbox
from tests.cli.runner import one_error_line, run
from tests.conftest import Api
from tests.plans import edit

MARKUP = "[bold]not bold[/] [red]x[/red] [1] [/]"


def test_an_error_shows_the_path_it_names_exactly(tmp_path: Path) -> None:
    name = "./my [bold]template[/].toml"
    done = run(tmp_path, "templates", "show", name)
    assert done.returncode == EXIT_ERROR
    assert name in one_error_line(done)


def test_template_paths_and_patterns_keep_their_selectors(tmp_path: Path) -> None:
    done = run(tmp_path, "templates", "show", "researchers")
    assert done.returncode == 0, done.stderr
    assert "/researcher/user_identifier[id_type/value=ORCID]/value" in done.stdout
    assert "/researcher/researcher_keyword[*]/value" in done.stdout
    assert r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$" in done.stdout
    assets = run(tmp_path, "templates", "show", "assets")
    assert "[relationtype=ispartof]" in assets.stdout


def test_help_shows_defaults_in_brackets(tmp_path: Path) -> None:
    done = run(tmp_path, "plan", "--help")
    assert done.returncode == 0
    assert "[default: WORKBOOK.plan.json]" in done.stdout
    assert "[default: na]" in done.stdout
    assert "[default: 10]" in done.stdout


def test_export_and_plan_summaries_show_names_and_values_exactly(
    tmp_path: Path,
    server: Sandbox,
) -> None:
    book = tmp_path / "people [bold]2026[/].xlsx"
    exported = run(
        tmp_path, "export", "researchers", "-o", str(book), "--limit", "3", base_url=server.base_url
    )
    assert exported.returncode == 0, exported.stderr
    assert book.name in exported.stdout
    first = Api(server.base_url).researcher_ids(1)[0]
    edit(book, {(first, "Display title"): MARKUP, (first, "ORCID iD"): "[x]"})
    done = run(tmp_path, "plan", str(book), "--verbose", base_url=server.base_url)
    assert done.returncode == EXIT_PROBLEMS, done.stderr  # the ORCID iD is invalid
    flat = " ".join(done.stdout.split())
    assert MARKUP in flat
    assert "'[x]'" in flat or "[x]" in flat
    assert book.name in flat


def test_export_help_names_the_asset_filters_and_how_to_ask_for_everything(
    tmp_path: Path,
) -> None:
    done = run(tmp_path, "export", "--help")
    assert done.returncode == 0, done.stderr
    flat = " ".join(done.stdout.split())
    for option in (
        "--updated-since",
        "--updated-until",
        "--doi",
        "--researcher",
        "--org-unit",
        "--open-access",
        "--ids",
    ):
        assert option in flat, option
    assert "--updated-since 1900-01-01" in flat
    assert "last_name~Smith AND first_name~Anna" in flat and "ALL~" not in flat


def test_ids_not_found_are_listed_exactly(tmp_path: Path, server: Sandbox) -> None:
    first = Api(server.base_url).researcher_ids(1)[0]
    book = tmp_path / "people.xlsx"
    exported = run(
        tmp_path, "export", "researchers", "-o", str(book), "--ids", f"{first},{MARKUP}",
        base_url=server.base_url,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert f"1 ID not found in Esploro, skipped: {MARKUP}" in " ".join(exported.stdout.split())
