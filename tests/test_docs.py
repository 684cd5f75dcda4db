"""The docs' code runs: docs/python-api.md's blocks, in order, as one notebook would."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

ROOT = Path(__file__).parents[1]


def _python_blocks(page: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL)


def test_the_python_api_page_runs_from_top_to_bottom() -> None:
    blocks = _python_blocks(ROOT / "docs" / "python-api.md")
    assert len(blocks) >= 7
    namespace: dict[str, object] = {"__name__": "python_api_page"}
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            for number, block in enumerate(blocks, 1):
                code = compile(block, f"docs/python-api.md block {number}", "exec")
                exec(code, namespace)  # the page is the test; its last block stops the sandbox
    except BaseException:
        box = namespace.get("box")
        if box is not None:
            box.stop()  # type: ignore[attr-defined]
        raise
    text = printed.getvalue()
    assert "10 records, 20 columns" in text
    assert "nothing to export:" in text
    assert "5 records as received" in text and "5 exported" in text
    assert "401 UNAUTHORIZED" in text
    assert "'updated')]" in text


def test_help_lists_the_public_api() -> None:
    import pydoc

    import sheetsync

    text = pydoc.render_doc(sheetsync, renderer=pydoc.plaintext)
    for name in ("connect", "export", "plan", "apply", "rollback", "load_template"):
        assert name in sheetsync.__all__
        assert f"{name}(" in text, name
    for name in ("SheetsyncError", "EsploroApiError", "Plan", "ApplyResult", "Sandbox"):
        assert name in sheetsync.__all__


def test_importing_sheetsync_does_not_import_the_sandbox() -> None:
    import subprocess
    import sys

    code = (
        "import sys, sheetsync; "
        "assert not any(m.startswith('sheetsync.sandbox') for m in sys.modules), 'eager'; "
        "sheetsync.Sandbox; "
        "assert 'sheetsync.sandbox' in sys.modules"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_every_sandbox_behaviour_in_the_docs_names_its_evidence_or_says_guess() -> None:
    """docs/sandbox.md: each table row's last cell and each bullet names an evidence file (or
    its short name: openapi, kc, xsd, dictionary, errors/...) or says it is a guess. The
    sandbox's own /_sandbox/ control routes are not Esploro behaviour and need no tag."""
    tag = re.compile(
        r"guess|\[doc|\[seen|openapi|\bkc\b|third-party|dictionary|errors/|\.json|\.xsd|\.txt"
        r"|README|sandbox limitation|alma-user|evidence|test fault",
        re.IGNORECASE,
    )
    text = (ROOT / "docs" / "sandbox.md").read_text(encoding="utf-8")
    untagged = []
    bullet: str | None = None
    for line in [*text.splitlines(), ""]:
        if bullet is not None and line.startswith("  "):
            bullet += " " + line.strip()
            continue
        if bullet is not None and "/_sandbox/" not in bullet[:40] and not tag.search(bullet):
            untagged.append(bullet)
        bullet = line if line.startswith("- ") else None
        if line.startswith("|") and not re.match(r"^\|\s*:?-", line):
            last = line.strip().strip("|").split("|")[-1].strip()
            if last.lower() not in ("tag", "tags") and not tag.search(last):
                untagged.append(line)
    assert untagged == []
