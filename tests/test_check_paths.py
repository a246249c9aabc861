"""`disclosure check PATH...`: report only the named files, checked together with their unit folder."""

from __future__ import annotations

from pathlib import Path

from generator.cli import main

UNIT = Path("content/2025/renhe-shehui-gongzuobu")


def test_one_file_reports_only_its_problems(content_copy: Path, capsys) -> None:
    for stem in ("cun-ganbu-huachengbao", "cun-shequ-huanjie"):  # bring back the warnings the sample acknowledges
        path = UNIT / f"{stem}.yml"
        path.write_text(
            path.read_text(encoding="utf-8").replace("    acknowledge:\n      indicator-taxonomy: 原表如此，照录\n", ""),
            encoding="utf-8",
        )
    assert main(["check", str(UNIT / "cun-ganbu-huachengbao.yml")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out[:-1]] == [str(UNIT / "cun-ganbu-huachengbao.yml")]
    assert out[-1] == "1 form checked: 0 errors, 1 warning"  # the other files' acknowledgements are not counted


def test_a_project_edit_also_reports_the_unit_sum_it_breaks(content_copy: Path, capsys) -> None:
    path = UNIT / "cun-ganbu-huachengbao.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("total: 5\n  fiscal: 5", "total: 6\n  fiscal: 6"), encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "project-sum-mismatch" in out and f"{UNIT}/unit.yml:" in out


def test_paths_outside_content_are_a_usage_error(content_copy: Path, capsys) -> None:
    (content_copy.parent / "elsewhere.yml").write_text("a: 1\n", encoding="utf-8")
    assert main(["check", "elsewhere.yml"]) == 2
    assert main(["check", str(UNIT / "missing.yml")]) == 2
