"""No module lists form fields by name: what a form holds comes from its layout (a safety net, not the mechanism).

The names below are the sample layout's and the previous fixed model's field names. Outside the layout files
they may appear in docstrings and comments, never as string literals in code.
"""

from __future__ import annotations

import ast
from pathlib import Path

GENERATOR = Path(__file__).resolve().parent.parent / "generator"
FIELD_NAMES = {
    "budget",
    "funding",
    "funding_sources",
    "goal",
    "tasks",
    "personnel",
    "public_funds",
    "other_operating",
    "specific",
    "operating",
    "medium_term_goal",
    "medium_term_tasks",
    "medium_term_value",
    "period_funding",
    "implementing_unit",
    "department",
    "attribute",
    "contact",
    "measure_unit",
    "explanation",
}
#: Where the names are legitimate: reading files written for the old fixed model (`disclosure migrate`).
ALLOWED = {"editing/oldmodel.py"}


def _literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and node.value in FIELD_NAMES
    ]


def test_no_field_names_in_code():
    found = []
    for path in sorted(GENERATOR.rglob("*.py")):
        rel = path.relative_to(GENERATOR).as_posix()
        if rel in ALLOWED:
            continue
        found += [f"{rel}:{line}: {value!r}" for line, value in _literals(path)]
    assert found == []
