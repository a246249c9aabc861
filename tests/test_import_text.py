"""`disclosure import` of pasted text: the sample's text extraction gives the shipped content (ids aside)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.forms.load import load_file
from generator.importing.accuracy import compare

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_TEXT = ROOT / "tests" / "fixtures" / "2025-renhe-shehui-gongzuobu.txt"
SHIPPED = ROOT / "content" / "2025" / "renhe-shehui-gongzuobu"


def _site(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "disclosure.yml", tmp_path / "disclosure.yml")
    return tmp_path / "content"


def _by_name(folder: Path) -> dict[str, dict]:
    out = {}
    for path in sorted(folder.glob("*.yml")):
        data = load_file(path).data
        out["unit" if path.stem == "unit" else data["name"]] = data
    return out


def test_the_sample_text_imports_to_the_shipped_content(tmp_path, monkeypatch, capsys):
    content = _site(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["import", str(SAMPLE_TEXT), "--content", "content", "--unit-id", "renhe-shehui-gongzuobu"]) == 0
    imported = _by_name(content / "2025" / "renhe-shehui-gongzuobu")
    shipped = _by_name(SHIPPED)
    assert sorted(imported) == sorted(shipped)
    for name, want in shipped.items():
        right, total, wrong = compare(want, imported[name])
        assert wrong == [], name
        assert right == total and total > 10
    for data in imported.values():
        assert data["source"] == {"file": SAMPLE_TEXT.name}


def test_the_imported_files_check_clean_apart_from_the_shipped_acknowledgements(tmp_path, monkeypatch, capsys):
    content = _site(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["import", str(SAMPLE_TEXT), "--content", "content"]) == 0
    capsys.readouterr()
    main(["check", "--content", "content"])
    out = capsys.readouterr().out
    codes = {line.rsplit("(", 1)[1].rstrip(")") for line in out.splitlines() if line.endswith(")") and ": warning: " in line}
    assert codes <= {"indicator-taxonomy"} and ": error: " not in out
    folders = [p.name for p in (content / "2025").iterdir()]
    assert len(folders) == 1 and folders[0].startswith("renhe")


def test_importing_again_changes_nothing_and_keeps_the_ids(tmp_path, monkeypatch, capsys):
    _site(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["import", str(SAMPLE_TEXT), "--content", "content"]) == 0
    first = sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "content").rglob("*.yml"))
    capsys.readouterr()
    assert main(["import", str(SAMPLE_TEXT), "--content", "content"]) == 0
    second = sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "content").rglob("*.yml"))
    assert first == second
    assert "0 file(s) written, 9 unchanged" in capsys.readouterr().err


def test_import_into_the_existing_unit_folder_reuses_its_project_ids(tmp_path, monkeypatch, capsys):
    content = _site(tmp_path)
    shutil.copytree(SHIPPED, content / "2025" / SHIPPED.name)
    monkeypatch.chdir(tmp_path)
    assert main(["import", str(SAMPLE_TEXT), "--content", "content", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"→ 2025/{SHIPPED.name}/cun-shequ-ganbu-jixiao.yml" in out
    assert f"沿用已有的单位目录 {SHIPPED.name}（单位名称相同）" in out and "沿用已有的项目编号 cun-shequ-ganbu-jixiao" in out
    assert sorted(p.name for p in (content / "2025").iterdir()) == [SHIPPED.name]


@pytest.mark.parametrize("flag", ["--dry-run", None])
def test_nothing_is_overwritten_without_force(tmp_path, monkeypatch, capsys, flag):
    content = _site(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["import", str(SAMPLE_TEXT), "--content", "content", "--unit-id", "u"]) == 0
    target = content / "2025" / "u" / "unit.yml"
    target.write_text(target.read_text(encoding="utf-8").replace("682.42", "682.41"), encoding="utf-8")
    before = target.read_bytes()
    capsys.readouterr()
    args = ["import", str(SAMPLE_TEXT), "--content", "content", "--unit-id", "u"] + ([flag] if flag else [])
    status = main(args)
    captured = capsys.readouterr()
    if flag == "--dry-run":
        assert status == 0 and "-  total:           {total: 682.41" in captured.out
    else:
        assert status == 1 and "exists and differs" in captured.err
    assert target.read_bytes() == before
    assert main(args[:-1] + ["--force"] if flag else args + ["--force"]) == 0
    assert "682.42" in target.read_text(encoding="utf-8")


def test_a_header_printed_again_on_a_new_page_is_not_an_indicator(tmp_path, monkeypatch, capsys):
    text = SAMPLE_TEXT.read_text(encoding="utf-8")
    marker = "\t\n\t\n\t\n\t促进基层治理\n"
    assert text.count(marker) == 1
    header = "\t\n\t一级\n指标\n\t二级指标\n\t三级指标\n\t指标值（包含数字及文字描述）\n\n"
    (tmp_path / "paged.txt").write_text(text.replace(marker, header + marker), encoding="utf-8")
    content = _site(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["import", "paged.txt", "--content", "content", "--unit-id", "u"]) == 0
    imported = _by_name(content / "2025" / "u")
    shipped = _by_name(SHIPPED)
    assert compare(shipped["村（社区）常职干部及社工绩效经费"], imported["村（社区）常职干部及社工绩效经费"])[2] == []


def test_reimport_keeps_what_the_editor_added(tmp_path, monkeypatch, capsys):
    """Source URL and date, acknowledgements (form and indicator rows) and order survive importing the file again."""
    content = _site(tmp_path)
    shutil.copytree(SHIPPED, content / "2025" / SHIPPED.name)
    target = content / "2025" / SHIPPED.name / "cun-ganbu-huachengbao.yml"
    text = target.read_text(encoding="utf-8")
    target.write_text(text + "\nsource:\n  url: http://www.example.gov.cn/a.html\n  published: 2025-02-10\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["import", str(SAMPLE_TEXT), "--content", "content", "--force"]) == 0
    out = capsys.readouterr().out
    assert "保留已有文件中的来源的 url、published" in out
    data = load_file(target).data
    assert data["source"] == {"url": "http://www.example.gov.cn/a.html", "published": "2025-02-10", "file": SAMPLE_TEXT.name}
    shipped_acks = [row.get("acknowledge") for row in load_file(SHIPPED / target.name).data["indicators"]]
    assert [row.get("acknowledge") for row in data["indicators"]] == shipped_acks and any(shipped_acks)
    capsys.readouterr()
    assert main(["check", "--content", "content"]) == 0


def test_importing_the_sample_into_the_shipped_content_only_adds_the_source_file(tmp_path, monkeypatch, capsys):
    """Same ids, same house style, acknowledgements kept: the files are byte for byte the shipped ones plus `source.file`."""
    content = _site(tmp_path)
    shutil.copytree(SHIPPED, content / "2025" / SHIPPED.name)
    monkeypatch.chdir(tmp_path)
    assert main(["import", str(SAMPLE_TEXT), "--content", "content", "--force"]) == 0
    assert "0 warning(s)" in capsys.readouterr().out
    for shipped in sorted(SHIPPED.glob("*.yml")):
        imported = (content / "2025" / SHIPPED.name / shipped.name).read_text(encoding="utf-8")
        assert imported == shipped.read_text(encoding="utf-8") + f"\nsource:\n  file: {SAMPLE_TEXT.name}\n", shipped.name
