"""The bad-input corpus: one small file (or folder) per case, each asserting the exact (file, line, code) set.

Single-file cases live in `tests/corpus/*.yml` and start with comment lines:

    # case: 描述
    # as: unit | project          where the file goes (see below)
    # file: index.yml             optional: the project file name (default: the case file's name)
    # expect: <line> <code>       one per expected problem in the case file (`… x10`: ten of them)
    # expect: unit.yml <line> <code>   a problem in the other fixture file next to it
    # acknowledged: <n>           optional: the summary must count n acknowledged warnings
    # pad-to: <bytes>             optional: the test grows the file to this size (not committed)

`as: unit` places the file at content/2025/demo/unit.yml next to `_base/project.yml`; `as: project` places it
at content/2025/demo/<name>.yml next to `_base/unit.yml`. The two fixtures fit each other (其他运转类 10 万元).
A case without `expect` lines must check clean.

Folder cases (`tests/corpus/<case>/`) hold a content tree and an `expect.txt` of `<file> <line> <code>` lines,
files relative to the case folder (the content root).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from checkrun import run_check

from generator.cli import main
from generator.problems import CODES, ERROR, WARNING

CORPUS = Path(__file__).resolve().parent / "corpus"
BASE = CORPUS / "_base"
ROOT = Path(__file__).resolve().parent.parent

DEMO = "2025/demo"


@dataclass
class Case:
    name: str
    description: str
    #: content-relative path -> bytes
    files: dict[str, bytes]
    expected: Counter = field(default_factory=Counter)
    acknowledged: int | None = None
    pad: dict[str, int] = field(default_factory=dict)

    @property
    def codes(self) -> set[str]:
        return {code for _, _, code in self.expected}


def _header(raw: bytes) -> list[tuple[str, str]]:
    """Return the (key, value) pairs of the leading `# key: value` comment lines."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    out = []
    for line in raw.split(b"\n"):
        line = line.rstrip(b"\r")
        if not line.startswith(b"#"):
            break
        text = line[1:].decode("utf-8", "replace").strip()
        key, sep, value = text.partition(":")
        if sep:
            out.append((key.strip(), value.strip()))
    return out


def _single_case(path: Path) -> Case:
    raw = path.read_bytes()
    header = _header(raw)
    keys = [k for k, _ in header]
    assert keys and keys[0] == "case", f"{path.name}: the first line must be `# case: …`"
    meta = dict(header)
    placement = meta.get("as")
    assert placement in ("unit", "project"), f"{path.name}: `# as: unit` or `# as: project` is required"
    if placement == "unit":
        target = f"{DEMO}/unit.yml"
        files = {f"{DEMO}/project.yml": (BASE / "project.yml").read_bytes()}
    else:
        target = f"{DEMO}/{meta.get('file', path.name)}"
        files = {f"{DEMO}/unit.yml": (BASE / "unit.yml").read_bytes()}
    files[target] = raw
    case = Case(path.stem, meta["case"], files)
    for key, value in header:
        if key == "expect":
            parts = value.split()
            times = int(parts.pop()[1:]) if parts[-1].startswith("x") else 1
            where = target if len(parts) == 2 else f"{DEMO}/{parts.pop(0)}"
            line, code = parts
            case.expected[(where, int(line), code)] += times
        elif key == "acknowledged":
            case.acknowledged = int(value)
        elif key == "pad-to":
            case.pad[target] = int(value)
    return case


def _folder_case(path: Path) -> Case:
    files = {
        p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file() and p.name != "expect.txt"
    }
    case = Case(path.name, "", files)
    for line in (path / "expect.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            if key.strip() == "case":
                case.description = value.strip()
            elif key.strip() == "acknowledged":
                case.acknowledged = int(value)
            continue
        if line.strip():
            where, number, code = line.split()
            case.expected[(where, int(number), code)] += 1
    assert case.description, f"{path.name}/expect.txt: `# case: …` is required"
    return case


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(CORPUS.iterdir()):
        if path.name.startswith(("_", ".")):
            continue
        if path.is_dir():
            cases.append(_folder_case(path))
        elif path.suffix == ".yml":
            cases.append(_single_case(path))
    return cases


CASES = load_cases()


def _site_settings(root: Path) -> None:
    """Give the temporary site the project's default layout and the corpus's own layouts."""
    (root / "disclosure.yml").write_bytes((ROOT / "disclosure.yml").read_bytes())
    (root / "layouts").mkdir(exist_ok=True)
    for layout in (CORPUS / "_layouts").glob("*.yml"):
        (root / "layouts" / layout.name).write_bytes(layout.read_bytes())


def run_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, files: dict[str, bytes], pad=None):
    """Write a content tree, run `disclosure check` in-process; return (status, Counter of problems, summary)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    content = tmp_path / "content"
    _site_settings(tmp_path)
    for rel, data in files.items():
        target = content / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for rel, size in (pad or {}).items():
        with open(content / rel, "r+b") as fh:  # sparse: fast, and nothing large is committed
            fh.truncate(size)
    result = run_check(capsys, "content")
    assert all(p.path.startswith("content/") for p in result.problems)
    return result.status, result.found(strip="content/"), result.summary


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case, tmp_path, monkeypatch, capsys):
    status, found, summary = run_tree(tmp_path, monkeypatch, capsys, case.files, case.pad)
    missing = sorted((case.expected - found).elements())
    unexpected = sorted((found - case.expected).elements())
    assert (missing, unexpected) == ([], []), f"{case.description}: missing {missing}, unexpected {unexpected}"
    has_error = any(CODES[code][0] == ERROR for code in case.codes)
    assert status == (1 if has_error else 0)
    if case.acknowledged is not None:
        assert int(summary["acknowledged"] or 0) == case.acknowledged


def test_fixtures_alone_are_clean(tmp_path, monkeypatch, capsys):
    files = {f"{DEMO}/unit.yml": (BASE / "unit.yml").read_bytes(), f"{DEMO}/project.yml": (BASE / "project.yml").read_bytes()}
    status, found, summary = run_tree(tmp_path, monkeypatch, capsys, files)
    assert (status, dict(found)) == (0, {})
    assert summary.group(0) == "2 forms checked: 0 errors, 0 warnings"


def test_strict_fails_on_warnings(tmp_path, monkeypatch, capsys):
    files = {f"{DEMO}/unit.yml": (BASE / "unit.yml").read_bytes()}  # no project form: one warning
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    _site_settings(tmp_path)
    for rel, data in files.items():
        (tmp_path / "content" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "content" / rel).write_bytes(data)
    assert main(["check", "--content", "content"]) == 0
    assert main(["check", "--content", "content", "--strict"]) == 1
    out = capsys.readouterr().out
    assert out.count("(missing-project-forms)") == 2


def test_unknown_field_suggests_the_close_match(tmp_path, monkeypatch, capsys):
    case = next(c for c in CASES if c.name == "unknown-field-suggestion")
    run_tree(tmp_path, monkeypatch, capsys, case.files)
    main(["check", "--content", "content"])
    out = capsys.readouterr().out
    assert "未知字段“fiscal_yaer”，是否应为“fiscal_year”？ (unknown-field)" in out


def _site_corpus_codes() -> set[str]:
    """Codes of the mkdocs.yml cases in tests/site_corpus (checked by tests/test_readers_cli.py)."""
    return {
        code
        for path in (CORPUS.parent / "site_corpus").glob("*.yml")
        for code in re.findall(r"^# expect: [0-9]+ ([a-z0-9-]+)", path.read_text(encoding="utf-8"), re.M)
    }


def test_every_code_has_a_case():
    """Every code has a bad-input case: a YAML case here or a bad workbook in tests/excel_corpus.py."""
    from tests.excel_corpus import CASES as XLSX_CASES

    covered = set().union(*(case.codes for case in CASES))
    covered |= {code for case in XLSX_CASES for _, code in case.expect}
    covered |= {
        code
        for path in (CORPUS.parent / "layout_corpus").glob("*.yml")
        for code in re.findall(r"^# expect: [0-9]+ ([a-z0-9-]+)$", path.read_text(encoding="utf-8"), re.M)
    }
    covered |= _site_corpus_codes()
    assert sorted(set(CODES) - covered) == []
    assert covered <= set(CODES)


def test_every_warning_has_a_warning_only_case():
    """Each warning is shown to pass the check on its own (exit 0)."""
    alone = {next(iter(c.codes)) for c in CASES if len(c.codes) == 1}
    alone |= _site_corpus_codes()  # mkdocs.yml cases (tests/site_corpus): site settings warnings only
    assert sorted(c for c, (level, _) in CODES.items() if level == WARNING and c not in alone) == []


def test_every_code_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z0-9-]+)` \| (error|warning) \|", readme, re.M))
    assert rows == {code: level for code, (level, _) in CODES.items()}


def test_case_names_are_unique_and_described():
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))
    assert all(c.description for c in CASES)
    assert len(CASES) >= len(CODES)
