"""Issue 12, findings 1 and 5, in the workflows: no job keeps a token in .git/config, and a pull request
runs what deploy runs (so content that cannot be published fails the pull request, not the next deploy)."""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

WORKFLOWS = Path(__file__).resolve().parent.parent / ".github" / "workflows"


def _load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def _calls(job: dict) -> list[str]:
    out = []
    for step in job.get("steps", []):
        for line in step.get("run", "").splitlines():
            if line.strip().startswith("disclosure "):
                words = shlex.split(line.split(">")[0], comments=True)
                out.append(" ".join(words[1:]))
    return out


def test_hardening_checkout_never_persists_credentials():
    """actions/checkout leaves the job token in .git/config unless told not to; no job pushes with git."""
    seen = 0
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for job_name, job in _load(path.name)["jobs"].items():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/checkout@"):
                    seen += 1
                    assert (step.get("with") or {}).get("persist-credentials") is False, f"{path.name}:{job_name}"
                assert "git push" not in step.get("run", ""), f"{path.name}:{job_name} pushes: it needs its token"
    assert seen >= 3  # every shipped workflow checks out (pages.yml once per job)


def test_hardening_pull_request_runs_what_deploy_runs():
    pages = _load("pages.yml")["jobs"]
    calls = [call for name in ("archives", "shards", "build") for call in _calls(pages[name])]
    assert calls == ["archive --all", "build --shard $SHARD -d shard-out", "merge shards/shard-* -d site"]
    # The shards merged are byte for byte the unsharded build (tests/test_pieces.py): a pull request
    # runs that build.
    deploy = ["archive --all", "build"]
    pull = _calls(_load("pull-request.yml")["jobs"]["check"])
    # Every deploy command, in the same order, before the review summary.
    assert [c for c in pull if c in deploy] == deploy
    assert pull.index("archive --all") < pull.index("build")
