"""The layout's rules (docs/architecture.md), checked on the source so they cannot erode.

* no import cycles between sheetsync's modules;
* the library never imports its own emulator: only the CLI, and `sheetsync.__getattr__` when
  someone asks for `sheetsync.Sandbox`, import `sheetsync.sandbox`; the library never imports
  the CLI;
* every error class derives from `SheetsyncError`;
* nothing outside the entity adapters (and the template loader, which checks a template's
  `entity`) names an entity in code or branches on one.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from pathlib import Path

import sheetsync
import sheetsync.errors

PACKAGE = Path(sheetsync.__file__).parent
ENTITY_NAMES = {"researchers", "assets"}
ALLOWED_ENTITY_NAMES = {"esploro/entities.py", "template.py"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(path: Path, *, top_level_only: bool) -> Iterator[str]:
    """The sheetsync modules `path` imports (not those under `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.startswith("sheetsync"))
        elif (
            isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sheetsync")
        ):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                yield full if full in MODULES else node.module


def _graph() -> dict[str, set[str]]:
    return {
        name: {i for i in _imports(path, top_level_only=True) if i in MODULES and i != name}
        for name, path in MODULES.items()
    }


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, if there is any (a depth-first search)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            # importing a submodule runs its package's __init__ first: the package is a step too
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_there_are_no_import_cycles() -> None:
    assert _cycle(_graph()) is None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_the_library_imports_neither_the_sandbox_nor_the_cli() -> None:
    for name, path in MODULES.items():
        if name.startswith(("sheetsync.sandbox", "sheetsync.cli")) or name == "sheetsync.__main__":
            continue
        imported = set(_imports(path, top_level_only=True))
        assert not {i for i in imported if i.startswith("sheetsync.cli")}, name
        assert not {i for i in imported if i.startswith("sheetsync.sandbox")}, name


def test_every_error_class_derives_from_the_root() -> None:
    for name, value in vars(sheetsync.errors).items():
        if inspect.isclass(value) and issubclass(value, BaseException):
            assert issubclass(value, sheetsync.SheetsyncError), name
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                ast.unparse(base) in ("Exception", "ValueError", "RuntimeError")
                for base in node.bases
            ):
                root = node.name == "SheetsyncError"
                assert root or name.startswith("sheetsync.sandbox"), f"{name}.{node.name}"


def test_only_the_adapters_name_an_entity_in_code() -> None:
    for path in MODULES.values():
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(("sandbox/", "cli/demo.py")) or relative in ALLOWED_ENTITY_NAMES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and id(node) not in docstrings:
                assert node.value not in ENTITY_NAMES, f"{relative}:{node.lineno}"
            if isinstance(node, ast.Compare | ast.Match):
                text = ast.unparse(node)
                assert "entity ==" not in text and "entity !=" not in text, relative
