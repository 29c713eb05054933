"""Which packages may import which: the architecture, enforced.

Each of ``civility``'s packages (and top-level modules) may import only those listed for it
here, so a new dependency that goes the wrong way, or closes a cycle, fails here with the two
names in the message rather than years later as a tangle. Inference (``scoring``) never reaches
training or evaluation code, which is what keeps serving light.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "civility"

FOUNDATION = {"__init__", "errors", "settings", "attributes", "languages", "_optional"}
"""Modules everything may import: the version, errors, settings and the registries."""

ALLOWED: dict[str, set[str]] = {
    "__init__": set(),
    "__main__": {"cli"},
    "errors": set(),
    "settings": {"errors"},
    "attributes": {"errors"},
    "languages": {"errors", "attributes"},
    "_optional": {"errors"},
    "metrics": FOUNDATION,
    "text": FOUNDATION,
    "data": FOUNDATION | {"text"},
    "scoring": FOUNDATION | {"text"},
    "training": FOUNDATION | {"text", "metrics", "data", "scoring"},
    "evaluation": FOUNDATION | {"text", "metrics", "data", "scoring", "training"},
    "store": FOUNDATION,
    "moderation": FOUNDATION | {"text", "data", "scoring", "store"},
    "api": FOUNDATION | {"text", "scoring", "store", "moderation"},
    "web": FOUNDATION | {"text", "scoring", "store", "moderation", "api"},
    "cli": FOUNDATION
    | {"text", "metrics", "data", "scoring", "training", "evaluation", "store"}
    | {"moderation", "api", "web"},
}


def _unit(path: Path) -> str:
    """The package (or top-level module) a source file belongs to."""
    return path.relative_to(PACKAGE).with_suffix("").parts[0]


def _imported_units(path: Path) -> set[str]:
    units = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "civility":
                units.update("__init__" if a.name == "__version__" else a.name for a in node.names)
            elif node.module.startswith("civility."):
                units.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            units.update(a.name.split(".")[1] for a in node.names if a.name.startswith("civility."))
    return units


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_layers(path: Path) -> None:
    unit = _unit(path)
    assert unit in ALLOWED, f"{unit} is not in tests/test_layers.py's table: say what it may import"
    wrong = {u for u in _imported_units(path) - {unit} if u not in ALLOWED[unit]}
    assert not wrong, f"{path.relative_to(PACKAGE)} ({unit}) may not import {sorted(wrong)}"


def test_the_table_has_no_cycles() -> None:
    """Allowed imports form a DAG: a package can never reach itself through others."""
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(unit: str, path: tuple[str, ...]) -> None:
        assert unit not in visiting, f"cycle: {' -> '.join((*path, unit))}"
        if unit in done:
            return
        visiting.add(unit)
        for dependency in ALLOWED.get(unit, set()) - {unit}:
            visit(dependency, (*path, unit))
        visiting.discard(unit)
        done.add(unit)

    for unit in ALLOWED:
        visit(unit, ())
