"""The `disclosure` command line: exit codes, `python -m generator`, GitHub Actions annotations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from checkrun import LINE_RE, parse_output

from generator.cli import main
from tests.support import site_settings
from generator.problems import CODES, Problem, summary

ROOT = Path(__file__).resolve().parent.parent
BASE = Path(__file__).resolve().parent / "corpus" / "_base"


def write_tree(root: Path, files: dict[str, str]) -> Path:
    site_settings(root)
    for rel, text in files.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "content"


def fixture_tree(root: Path, project_extra: str = "") -> Path:
    return write_tree(
        root,
        {
            "2025/demo/unit.yml": (BASE / "unit.yml").read_text(encoding="utf-8"),
            "2025/demo/project.yml": (BASE / "project.yml").read_text(encoding="utf-8") + project_extra,
        },
    )


def test_python_dash_m_generator(tmp_path):
    env = {**os.environ, "GITHUB_ACTIONS": ""}
    fixture_tree(tmp_path)
    ok = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--content", "content"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "2 forms checked: 0 errors, 0 warnings\n", "")
    version = subprocess.run([sys.executable, "-m", "generator", "--version"], capture_output=True, text=True, timeout=120)
    assert version.returncode == 0 and version.stdout.startswith("disclosure ")
    bad = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--content", "missing"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "content folder not found" in bad.stderr


def test_exit_status_1_on_errors(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    fixture_tree(tmp_path, "order: 012\n")
    assert main(["check", "--content", "content"]) == 1
    problems, summary_line = parse_output(capsys.readouterr().out)
    assert [(p.path, p.line, p.code) for p in problems] == [("content/2025/demo/project.yml", 17, "invalid-value")]
    assert summary_line.group(0) == "1 form checked: 1 error, 0 warnings"


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["nonsense"],
        ["check", "--no-such-option"],
        ["check", "--jobs", "many"],
        ["check", "--content"],
        ["check", "--content", "does-not-exist"],
        ["schema", "--check", "extra"],
    ],
)
def test_usage_errors_exit_2(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse
        status = exc.code
    assert status == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err


def test_process_pool_gives_the_same_result(content_copy, monkeypatch, capsys):
    """`--jobs 2` with the pool forced on: same problems, positions, acknowledgements and summary."""
    import generator.forms.validate

    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    unit_dir = content_copy / "2025" / "renhe-shehui-gongzuobu"
    project = unit_dir / "cun-shequ-huanjie.yml"
    text = project.read_text(encoding="utf-8").replace("  total: 8\n", "  total: 8.01\n", 1)
    project.write_text(text, encoding="utf-8")
    for stem in ("zhiyuan-fuwu-shegong-duiwu", "zonghe-fuwu-zhongxin-shegong"):  # their warnings come back
        path = unit_dir / f"{stem}.yml"
        ack = "    acknowledge:\n      indicator-taxonomy: 原表如此，照录\n"
        assert ack in path.read_text(encoding="utf-8")
        path.write_text(path.read_text(encoding="utf-8").replace(ack, ""), encoding="utf-8")
    (unit_dir / "broken.yml").write_text("id: [\n", encoding="utf-8")
    outputs = []
    for jobs, threshold in (("1", 400), ("2", 1)):
        monkeypatch.setattr(generator.forms.validate, "PARALLEL_THRESHOLD", threshold)
        assert main(["check", "--content", "content", "--jobs", jobs]) == 1
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    problems, summary_line = parse_output(outputs[0])
    assert sorted({(p.path.split("/")[-1], p.code) for p in problems}) == [
        ("broken.yml", "yaml-syntax"),
        ("cun-shequ-huanjie.yml", "total-mismatch"),
        ("zhiyuan-fuwu-shegong-duiwu.yml", "indicator-taxonomy"),
        ("zonghe-fuwu-zhongxin-shegong.yml", "indicator-taxonomy"),
    ]
    assert summary_line.group(0) == "9 forms checked: 2 errors, 2 warnings, 2 acknowledged"


FAKE_KEY = '"备注\\n::error::fake\\n::warning file=x::%0A": x\n'


def test_github_annotations_cannot_be_forged(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    fixture_tree(tmp_path, FAKE_KEY + "goal_x: 100%\n")
    assert main(["check", "--content", "content"]) == 1
    lines = capsys.readouterr().out.splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    plain = [line for line in lines if not line.startswith("::")]
    parse_output("\n".join(plain))  # the human-readable lines are unchanged
    assert len(annotations) == len(plain) - 1 == 2
    for line in annotations:
        assert line.startswith("::error file=content/2025/demo/project.yml,line=")
        assert ",title=unknown-field::" in line
    forged = next(line for line in annotations if "fake" in line)
    assert "::error::fake" in forged  # still there, but inside the first annotation's message
    assert "\n" not in forged and "\r" not in forged
    assert "%250A" in forged  # a literal %0A in content is escaped too, so it cannot decode to a newline
    assert not any(line.startswith(("::error::", "::warning ")) for line in lines)


def test_github_annotation_escaping():
    problem = Problem("content/2025/a,b:c/x.yml", 3, 4, "total-mismatch", "合计 1 ≠ 2\n::error::fake 100%", field="funding.total")
    line = problem.format_github()
    assert line == (
        "::error file=content/2025/a%2Cb%3Ac/x.yml,line=3,col=4,title=total-mismatch"
        "::funding.total: 合计 1 ≠ 2\\n::error::fake 100%25"
    )
    assert "\n" not in line
    warning = Problem("x.yml", 1, 1, "placeholder-text", "XX").format_github()
    assert warning.startswith("::warning file=x.yml,")


def test_problem_lines_escape_invisible_characters():
    problem = Problem("x.yml", 1, 2, "unknown-field", "未知字段“a\nb\u202ec\u200bd\te”", field="a\nb")
    line = problem.format()
    assert line == "x.yml:1:2: error: a\\nb: 未知字段“a\\nb\\u202ec\\u200bd\\te” (unknown-field)"
    assert LINE_RE.match(line)


def test_problem_codes_are_checked():
    with pytest.raises(ValueError):
        Problem("x.yml", 1, 1, "no-such-code", "x")
    assert all(level in ("error", "warning") for level, _ in CODES.values())


def test_summary_line():
    error = Problem("x.yml", 1, 1, "total-mismatch", "x")
    warning = Problem("x.yml", 2, 1, "placeholder-text", "x")
    assert summary([], forms=1) == "1 form checked: 0 errors, 0 warnings"
    assert summary([error, warning, warning], acknowledged=3, forms=2) == "2 forms checked: 1 error, 2 warnings, 3 acknowledged"


def test_problems_are_sorted_by_file_and_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    content = fixture_tree(tmp_path, "order: 012\nextra: 1\n")
    (content / "2025" / "demo" / "a-project.yml").write_text("id: [\n", encoding="utf-8")
    main(["check", "--content", "content"])
    problems, _ = parse_output(capsys.readouterr().out)
    keys = [(p.path, p.line, p.col) for p in problems]
    assert keys == sorted(keys) and len(keys) == 3
