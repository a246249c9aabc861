"""Every third-party module the generator imports is a declared runtime dependency; the generator never imports tests."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata

from tests.support import ROOT

#: Imported directly but installed and version-locked by a declared dependency (pydantic pins pydantic-core).
PROVIDED_BY = {"pydantic_core": "pydantic"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported_modules() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted((ROOT / "generator").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "generator":
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_norm(re.match(r"[A-Za-z0-9._-]+", req).group(0)) for req in project["dependencies"]}


def test_every_imported_module_is_a_declared_runtime_dependency():
    distributions = metadata.packages_distributions()
    declared = _declared()
    undeclared = {}
    for module, where in _imported_modules().items():
        assert module != "tests", f"{where}: the generator must not import the tests"
        if module in PROVIDED_BY:
            assert _norm(PROVIDED_BY[module]) in declared
            continue
        dists = {_norm(d) for d in distributions.get(module, [])}
        if not dists & declared:
            undeclared[module] = (where, sorted(dists))
    assert undeclared == {}
