"""The site built as pieces and merged is byte for byte what one MkDocs run over the whole site writes.

Covers the incremental build (a one-form edit rebuilds only the pieces it touches, and the result is
identical to a cold build of the edited tree), shards built by separate processes and merged, and the
render cache (unchanged unit folders are not rendered again).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.synth import write_corpus
from generator.site import pieces as pieces_module

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("mkdocs.yml", "disclosure.yml", "overrides", "schema", "content")


def make_project(folder: Path, synthetic: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in PROJECT:
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, folder / name)
    if synthetic:
        # A year with more units than the navigation lists (41+), and one whose units are nav entries.
        write_corpus(folder / "content", 45, year=2023, projects_per_unit=0, seed=3)
        write_corpus(folder / "content", 40, year=2024, projects_per_unit=4, seed=4)
    return folder


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


def plain_mkdocs(project: Path, site: Path) -> None:
    """One ordinary MkDocs run over the generated docs folder, with the generator's navigation (then Pagefind)."""
    from mkdocs.commands.build import build

    from generator.site.build import generate_site, load_mkdocs_config
    from generator.site.mkdocsrun import working_directory
    from generator.site.nav import nav_overrides
    from generator.site.searchbundles import index_search

    done = generate_site("content", "mkdocs.yml", jobs=1, downloads=False)
    assert done.status == 0
    with working_directory(project):
        cfg = load_mkdocs_config("mkdocs.yml", site_dir=str(site), strict=True, **nav_overrides(done.nav))
        build(cfg)
        index_search(cfg, site)


def build(*extra: str) -> int:
    from generator.site.build import build_site

    return build_site(downloads=False, jobs=1, **dict(a.split("=", 1) for a in extra))


@pytest.fixture
def synthetic(tmp_path, monkeypatch):
    project = make_project(tmp_path / "project")
    monkeypatch.chdir(project)
    monkeypatch.setattr(pieces_module, "PIECE_FILES", 12)  # several buckets per year, even in a small tree
    return project


def test_sample_pieces_merge_to_the_plain_mkdocs_site(tmp_path, monkeypatch):
    project = make_project(tmp_path / "project", synthetic=False)
    monkeypatch.chdir(project)
    assert build() == 0
    plain_mkdocs(project, tmp_path / "plain")
    assert differences(tree(project / "site"), tree(tmp_path / "plain")) == []


@pytest.mark.slow
@pytest.mark.parametrize("theme_search", [False, True])
def test_synthetic_pieces_merge_to_the_plain_mkdocs_site(synthetic, tmp_path, theme_search):
    from generator.site.build import generate_site

    if theme_search:  # as the offline archive builds: Material's own search index, merged from the pieces
        config = synthetic / "mkdocs.yml"
        text = config.read_text(encoding="utf-8")
        assert "      enabled: false\n" in text
        config.write_text(text.replace("      enabled: false\n", "      enabled: true\n"), encoding="utf-8")
    done = generate_site("content", "mkdocs.yml", jobs=1, downloads=False)
    planned = pieces_module.plan_pieces(done.docs, done.nav)
    assert len([p for p in planned if p.key.startswith("2023-")]) >= 4  # the year is cut in buckets
    assert build() == 0
    site = tree(synthetic / "site")
    plain_mkdocs(synthetic, tmp_path / "plain")
    assert differences(site, tree(tmp_path / "plain")) == []
    assert ("search/search_index.json" in site) is theme_search and "sitemap.xml" in site and "404.html" in site


@pytest.mark.slow
def test_one_form_edit_rebuilds_few_pieces_and_equals_a_cold_build(synthetic, tmp_path, capsys):
    assert build() == 0
    capsys.readouterr()
    form = synthetic / "content" / "2023" / "synthetic-unit-00007" / "unit.yml"
    form.write_text(form.read_text(encoding="utf-8").replace("fiscal_year: 2023", "fiscal_year: 2023\n# 修改"), encoding="utf-8")
    assert build() == 0
    err = capsys.readouterr().err
    rebuilt = int(err.split("MkDocs in ")[1].split("(")[1].split(" of ")[0])
    total = int(err.split(" of ")[1].split(" pieces")[0])
    assert 1 <= rebuilt <= 3 < total  # the edited unit's bucket, its year page and the home page at most
    assert "written" in err
    cold = make_project(tmp_path / "cold")
    shutil.copy2(form, cold / "content" / "2023" / "synthetic-unit-00007" / "unit.yml")
    os.chdir(cold)
    assert build() == 0
    assert differences(tree(synthetic / "site"), tree(cold / "site")) == []


@pytest.mark.slow
def test_removed_unit_disappears_as_in_a_cold_build(synthetic, tmp_path):
    assert build() == 0
    shutil.rmtree(synthetic / "content" / "2024" / "synthetic-unit-00003")
    assert build() == 0
    assert not (synthetic / "site" / "2024" / "synthetic-unit-00003").exists()
    cold = make_project(tmp_path / "cold")
    shutil.rmtree(cold / "content" / "2024" / "synthetic-unit-00003")
    os.chdir(cold)
    assert build() == 0
    assert differences(tree(synthetic / "site"), tree(cold / "site")) == []


def test_render_cache_skips_unchanged_units_and_distrusts_touched_files(synthetic, monkeypatch):
    from generator.site import render
    from generator.site.build import generate_site

    first = generate_site("content", "mkdocs.yml", jobs=1, downloads=False)
    before = tree(synthetic / "build" / "docs")
    calls: list[str] = []
    real = render.render_unit
    monkeypatch.setattr(render, "render_unit", lambda unit, settings: calls.append(unit.id) or real(unit, settings))
    again = generate_site("content", "mkdocs.yml", jobs=1, downloads=False)
    assert calls == [] and dict(again.docs.items()) == dict(first.docs.items())
    page = synthetic / "build" / "docs" / "2024" / "synthetic-unit-00001" / "index.md"
    page.write_bytes(b"tampered\n")  # a file changed behind the generator's back is rendered again
    generate_site("content", "mkdocs.yml", jobs=1, downloads=False)
    assert calls == ["synthetic-unit-00001"]
    assert tree(synthetic / "build" / "docs") == before


def test_search_dictionary_from_cached_units_is_the_whole_dictionary(synthetic):
    from generator.site.build import generate_site, select_years, validated_source
    from generator.site.searchdict import jieba_words

    done = generate_site("content", "mkdocs.yml", jobs=1, downloads=False)
    words = (synthetic / "build" / "jieba_user_dict.txt").read_text(encoding="utf-8")
    assert words == jieba_words(select_years(done.result, validated_source(done.result)))
    generate_site("content", "mkdocs.yml", jobs=1, downloads=False)  # every unit from the cache
    assert (synthetic / "build" / "jieba_user_dict.txt").read_text(encoding="utf-8") == words


def _cli(project: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "generator", *args], cwd=project, env=env, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
@pytest.mark.parametrize("shards", [("1/2", "2/2"), ("2023", "2024", "2025")])
def test_shards_built_by_separate_processes_merge_to_the_unsharded_site(tmp_path, shards):
    unsharded = make_project(tmp_path / "whole")
    done = _cli(unsharded, "build", "--no-excel")
    assert done.wait() == 0, done.stderr.read()
    for index, shard in enumerate(shards):  # separate projects: nothing shared but the content
        make_project(tmp_path / f"p{index}")
    procs = [
        _cli(tmp_path / f"p{i}", "build", "--no-excel", "--shard", s, "-d", str(tmp_path / f"out{i}"))
        for i, s in enumerate(shards)
    ]
    pids = {p.pid for p in procs}
    assert len(pids) == len(shards) and all(p.wait() == 0 for p in procs), [p.stderr.read() for p in procs]
    outs = [str(tmp_path / f"out{i}") for i in range(len(shards))]
    merged = _cli(unsharded, "merge", *outs, "-d", str(tmp_path / "merged"))
    assert merged.wait() == 0, merged.stderr.read()
    assert differences(tree(tmp_path / "merged"), tree(unsharded / "site")) == []


@pytest.mark.slow
def test_merge_refuses_missing_and_foreign_shards(tmp_path, capsys):
    from generator.cli import main

    project = make_project(tmp_path / "p")
    os.chdir(project)
    assert main(["build", "--no-excel", "--shard", "1/2", "-d", str(tmp_path / "a")]) == 0
    assert main(["merge", str(tmp_path / "a"), "-d", str(tmp_path / "m")]) == 1
    assert "build every shard before merging" in capsys.readouterr().err
    form = project / "content" / "2024" / "synthetic-unit-00002" / "unit.yml"
    form.write_text(form.read_text(encoding="utf-8") + "# 另一版本\n", encoding="utf-8")
    assert main(["build", "--no-excel", "--shard", "2/2", "-d", str(tmp_path / "b")]) == 0
    assert main(["merge", str(tmp_path / "a"), str(tmp_path / "b"), "-d", str(tmp_path / "m")]) == 1
    assert "other content or settings" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_shard_selection_covers_every_piece_once():
    from generator.site.pieces import Piece, select_shard

    planned = [Piece("site", ["index.md"])] + [Piece(f"2025-{i:03d}", [f"f{j}" for j in range(i + 1)]) for i in range(7)]
    planned += [Piece("2025", ["2025/index.md"]), Piece("2024", ["2024/index.md"])]
    for count in (1, 2, 3, 5):
        chosen = [p.key for n in range(1, count + 1) for p in select_shard(planned, f"{n}/{count}")]
        assert sorted(chosen) == sorted(p.key for p in planned)
    assert "site" in [p.key for p in select_shard(planned, "1/3")]
    assert {p.key for p in select_shard(planned, "2024")} == {"site", "2024"}
    with pytest.raises(ValueError):
        select_shard(planned, "3/2")


@pytest.mark.parametrize(
    "pages, hidden",
    [
        # A year page's piece: every unit folder hidden, the year page and the home page its own.
        (
            ["index.md", "2025/index.md", "2025/u1/index.md", "2025/u1/p1.md", "2025/u2/index.md"],
            ["2025/u1/index.md", "2025/u1/p1.md", "2025/u2/index.md"],
        ),
        # One unit folder partly hidden, another wholly, names with glob characters.
        (
            ["2025/index.md", "2025/a[1]/index.md", "2025/a[1]/p*.md", "2025/b/index.md", "2025/b/x.md"],
            ["2025/a[1]/index.md", "2025/a[1]/p*.md", "2025/b/x.md"],
        ),
        # Top-level folders wholly hidden, and single hidden pages beside owned ones.
        (["index.md", "a/x.md", "b/y.md", "c/z.md", "c/w.md"], ["a/x.md", "b/y.md", "c/w.md"]),
        ([], []),
    ],
)
def test_hidden_patterns_exclude_exactly_the_hidden_pages(pages, hidden):
    """The folder patterns stand for the hidden stubs exactly, as MkDocs matches them (pathspec)."""
    import pathspec

    from generator.site.piecebuild import hidden_patterns

    patterns = hidden_patterns(hidden, pages)
    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    assert sorted(p for p in pages if spec.match_file(p)) == sorted(hidden)
    assert len(patterns) <= len(hidden)


def test_year_piece_hides_its_units_with_one_pattern():
    """A year of many units: the year page's piece excludes all of them with one pattern, not one per page."""
    from generator.site.piecebuild import hidden_patterns

    pages = ["2025/index.md"] + [f"2025/u{i}/{name}" for i in range(500) for name in ("index.md", "p1.md")]
    assert hidden_patterns(pages[1:], pages) == ["/2025/*/*.md"]


def test_a_cancelled_build_stops_its_processes_at_once(monkeypatch, tmp_path):
    """`serve` cancels a background piece build when an edit comes: the MkDocs processes are stopped."""
    import threading
    import time

    from generator.site import piecebuild

    started = tmp_path / "pids"
    started.mkdir()

    def slow(run):  # noqa: ANN001, ANN202 - stands for a long MkDocs build, in the forked process
        (started / str(os.getpid())).touch()
        time.sleep(60)

    monkeypatch.setattr(piecebuild, "run_mkdocs", slow)
    runs = [piecebuild.PieceRun(f"p{i}", "mkdocs.yml", "docs", str(tmp_path / f"s{i}"), {}, []) for i in range(3)]
    cancel = threading.Event()
    threading.Timer(1.0, cancel.set).start()
    began = time.monotonic()
    with pytest.raises(piecebuild.BuildCancelled):
        piecebuild.run_forked(runs, 2, cancel=cancel)
    assert time.monotonic() - began < 10  # not the 60 s of the builds
    pids = [int(p.name) for p in started.iterdir()]
    assert len(pids) == 2  # two at a time; the third was never started
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    cancel.clear()
    monkeypatch.setattr(piecebuild, "run_mkdocs", lambda run: None)
    assert piecebuild.run_forked(runs, 2, cancel=cancel) == {"p0": None, "p1": None, "p2": None}


def test_staging_a_piece_stops_when_cancelled(tmp_path):
    """A year page's piece stages a stub for every page of the year: a cancel stops that too."""
    import threading

    from generator.site import piecebuild
    from generator.site.pieces import Piece

    piece = Piece("2025", stubs={f"2025/u{i}/index.md": b"" for i in range(1000)})
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(piecebuild.BuildCancelled):
        piecebuild.stage_docs(piece, {}, tmp_path / "docs", cancel)
    assert len(list((tmp_path / "docs").rglob("*.md"))) < 300  # stopped at the first check, not after 1,000 files
