"""`disclosure archive`: the offline zip of one fiscal year (contents, manifest, provenance, reproducibility)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from generator.archive.pack import ZIP_EPOCH, manifest, offline_overrides, zip_bytes

from tests.support import SEED_PROJECTS, ROOT, make_project

pytestmark = pytest.mark.slow

YEAR = "2025"
UNIT = "2025/renhe-shehui-gongzuobu"
PROJECTS = SEED_PROJECTS
ZIP_NAME = f"disclosure-{YEAR}.zip"
#: The commit every test project is created with: same tree, identity and dates -> same commit id.
COMMIT_DATE = "2025-03-01T12:00:00+08:00"
COMMIT_EPOCH = int(dt.datetime.fromisoformat(COMMIT_DATE).timestamp())
GIT = shutil.which("git")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH" and not k.startswith("GIT_")}
    env.update(NO_MKDOCS_2_WARNING="1", **extra)
    return env


def _git(project: Path, *args: str) -> str:
    env = _env(
        GIT_AUTHOR_NAME="Archive Test",
        GIT_AUTHOR_EMAIL="archive@example.invalid",
        GIT_AUTHOR_DATE=COMMIT_DATE,
        GIT_COMMITTER_NAME="Archive Test",
        GIT_COMMITTER_EMAIL="archive@example.invalid",
        GIT_COMMITTER_DATE=COMMIT_DATE,
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
    )
    done = subprocess.run(["git", "-C", str(project), *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def new_project(target: Path) -> Path:
    """A copy of the project, committed to a fresh git repository with a fixed identity and date."""
    make_project(target)
    if GIT:
        _git(target, "init", "-q", "-b", "main")
        _git(target, "add", "-A")
        _git(target, "commit", "-q", "-m", "content")
    return target


def run_archive(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", "archive", *args],
        cwd=project,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=600,
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A committed project with an existing site/ and search dictionary that the archive must not touch."""
    project = new_project(tmp_path_factory.mktemp("archive") / "project")
    (project / "site").mkdir()
    (project / "site" / "marker.txt").write_text("site/ as it was\n", encoding="utf-8")
    (project / "build").mkdir()
    (project / "build" / "jieba_user_dict.txt").write_text("站点词典 3\n", encoding="utf-8")
    done = run_archive(project, YEAR)
    assert done.returncode == 0, done.stdout + done.stderr
    return project


@pytest.fixture(scope="module")
def archive_zip(project) -> Path:
    return project / "dist" / ZIP_NAME


@pytest.fixture(scope="module")
def extracted(archive_zip, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(archive_zip) as zf:
        zf.extractall(target)
    return target


def test_zip_holds_the_year_site_and_its_sources(archive_zip, extracted):
    with zipfile.ZipFile(archive_zip) as zf:
        names = set(zf.namelist())
    for name in [
        "index.html",
        "about-archive.html",
        f"{YEAR}/index.html",
        f"{UNIT}/index.html",
        "search/search_index.js",
        "assets/javascripts/vendor/iframe-worker/shim.js",
        "assets/javascripts/search-query-fix.js",
        "README.txt",
        "MANIFEST.sha256",
    ]:
        assert name in names, name
    for project in PROJECTS:
        assert f"{UNIT}/{project}.html" in names
        assert f"{UNIT}/{project}.json" in names
        assert f"{UNIT}/{project}/index.html" not in names, "the archive must not use directory URLs"
    # The year's YAML, byte for byte, and the schema.
    sources = sorted((ROOT / "content" / YEAR).rglob("*.yml"))
    assert len(sources) == 9
    for source in sources:
        rel = source.relative_to(ROOT / "content").as_posix()
        assert (extracted / "data" / "content" / rel).read_bytes() == source.read_bytes(), rel
    data_content = {p.relative_to(extracted).as_posix() for p in (extracted / "data" / "content").rglob("*") if p.is_file()}
    assert data_content == {f"data/content/{p.relative_to(ROOT / 'content').as_posix()}" for p in sources}
    schemas = sorted((ROOT / "schema").rglob("*.json"))
    assert any(s.parent.name == "sichuan-panzhihua-2025" for s in schemas)
    for schema in schemas:
        rel = schema.relative_to(ROOT / "schema").as_posix()
        assert (extracted / "data" / "schema" / rel).read_bytes() == schema.read_bytes(), rel
    # Build-dated files are left out; nothing from other years or site-wide builds.
    assert not names & {"sitemap.xml", "sitemap.xml.gz", "404.html"}
    assert not any(n.startswith(("site/", "build/", "dist/")) for n in names)


def test_manifest_covers_every_file_and_verifies(extracted):
    listed = {}
    lines = (extracted / "MANIFEST.sha256").read_text(encoding="utf-8").splitlines()
    for line in lines:
        digest, name = re.fullmatch(r"([0-9a-f]{64})  (\S.*)", line).groups()
        assert name not in listed
        listed[name] = digest
    assert list(listed) == sorted(listed), "MANIFEST.sha256 must be sorted by path"
    files = {p.relative_to(extracted).as_posix() for p in extracted.rglob("*") if p.is_file()}
    assert set(listed) == files - {"MANIFEST.sha256"}
    for name, digest in listed.items():
        assert sha256(extracted / name) == digest, name
    if shutil.which("sha256sum"):
        done = subprocess.run(
            ["sha256sum", "--strict", "-c", "MANIFEST.sha256"],
            cwd=extracted,
            capture_output=True,
            text=True,
            env={**os.environ, "LC_ALL": "C"},
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.count(": OK") == len(listed)


def test_zip_checksum_file(archive_zip):
    checksum = archive_zip.with_name(ZIP_NAME + ".sha256")
    assert checksum.read_text(encoding="utf-8") == f"{sha256(archive_zip)}  {ZIP_NAME}\n"
    if shutil.which("sha256sum"):
        done = subprocess.run(["sha256sum", "-c", checksum.name], cwd=archive_zip.parent, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    assert not [p.name for p in archive_zip.parent.iterdir() if p.name.startswith(".")], "temporary files left"


def test_zip_entries_are_normalised(archive_zip):
    expected_time = dt.datetime.fromtimestamp(COMMIT_EPOCH if GIT else ZIP_EPOCH, dt.timezone.utc).timetuple()[:6]
    expected_time = expected_time[:5] + (expected_time[5] // 2 * 2,)
    with zipfile.ZipFile(archive_zip) as zf:
        infos = zf.infolist()
        assert zf.comment == b""
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert len(names) == len(set(names))
    for info in infos:
        assert info.date_time == expected_time, info
        assert info.extra == b"", info
        assert info.create_system == 3
        if info.is_dir():
            assert info.external_attr >> 16 == 0o040755, info
        else:
            assert info.external_attr >> 16 == 0o100644, info
            assert info.compress_type == zipfile.ZIP_DEFLATED
    # Every folder has its own entry (so the modes apply to folders too).
    folders = {n for n in names if n.endswith("/")}
    for name in names:
        parts = name.rstrip("/").split("/")
        for depth in range(1, len(parts)):
            assert "/".join(parts[:depth]) + "/" in folders, name


@pytest.mark.skipif(not GIT, reason="git is not installed")
def test_readme_and_about_page_name_the_year_revision_and_commit_date(project, extracted):
    head = _git(project, "rev-parse", "HEAD")
    readme = (extracted / "README.txt").read_text(encoding="utf-8")
    about = (extracted / "about-archive.html").read_text(encoding="utf-8")
    for text in (readme, about):
        assert "2025 年度" in text
        assert head in text and f"{head}-dirty" not in text
        assert "2025-03-01 12:00:00" in text  # the commit's date (Beijing time), not today's
        assert "sha256sum -c MANIFEST.sha256" in text
        assert f"{ZIP_NAME}.sha256" in text
    # Reachable from the archive's home page: a link in the page itself and in the navigation.
    home = (extracted / "index.html").read_text(encoding="utf-8")
    assert home.count('href="about-archive.html"') >= 2


def test_archive_leaves_the_site_and_its_dictionary_alone(project):
    assert sorted(p.name for p in (project / "site").iterdir()) == ["marker.txt"]
    assert (project / "build" / "jieba_user_dict.txt").read_text(encoding="utf-8") == "站点词典 3\n"
    assert not (project / "build" / "archive").exists(), "the work folder must be removed"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        for key, value in attrs:
            if key in {"href", "src"} and value:
                self.targets.append(value)


def test_every_local_link_resolves_and_nothing_is_loaded_remotely(extracted):
    pages = sorted(extracted.rglob("*.html"))
    assert len(pages) >= 1 + 1 + 1 + len(PROJECTS)
    for page in pages:
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for target in parser.targets:
            parts = urlsplit(target)
            if parts.scheme or target.startswith("//"):
                assert parts.scheme in {"http", "https", "mailto"}, (page, target)
                continue  # outbound links (e.g. "Made with Material") are not loaded
            if not parts.path:
                continue  # "#anchor"
            resolved = (page.parent / unquote(parts.path)).resolve()
            assert resolved.is_file(), f"{page.relative_to(extracted)}: broken link {target}"
            assert extracted.resolve() in resolved.parents, f"{page.relative_to(extracted)}: {target} leaves the archive"
        text = page.read_text(encoding="utf-8")
        assert "unpkg.com" not in text and "fonts.googleapis" not in text, page
        assert not re.search(r"<(script|img|iframe)\b[^>]*\bsrc=\"(https?:)?//", text), page
        assert not re.search(r"<link\b[^>]*\bhref=\"(https?:)?//", text), page


@pytest.mark.skipif(not GIT, reason="git is not installed")
def test_same_revision_builds_byte_identical_zips(archive_zip, tmp_path):
    """A second checkout of the same commit (other folder, other time, fresh process) gives the same bytes."""
    other = new_project(tmp_path / "elsewhere")
    done = run_archive(other, YEAR)
    assert done.returncode == 0, done.stderr
    again = other / "dist" / ZIP_NAME
    assert sha256(again) == sha256(archive_zip)
    # --all builds the same zip for every year found in content/.
    done = run_archive(other, "--all", "-o", "all")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (other / "all").iterdir()) == [ZIP_NAME, ZIP_NAME + ".sha256"]
    assert sha256(other / "all" / ZIP_NAME) == sha256(archive_zip)


def test_uncommitted_changes_mark_the_revision_dirty_and_source_date_epoch_wins(tmp_path):
    project = new_project(tmp_path / "project")
    path = project / "content" / UNIT / "cun-shequ-huanjie.yml"
    path.write_bytes(path.read_bytes() + b"# local edit\n")
    epoch = 1_700_000_000
    done = run_archive(project, YEAR, "-o", "out/x.zip", SOURCE_DATE_EPOCH=str(epoch))
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(project / "out" / "x.zip") as zf:
        readme = zf.read("README.txt").decode("utf-8")
        times = {i.date_time for i in zf.infolist()}
        edited = zf.read(f"data/content/{UNIT}/cun-shequ-huanjie.yml")
    assert edited == path.read_bytes()
    if GIT:
        assert re.search(r"源码版本：[0-9a-f]{40}-dirty（", readme), readme
    else:
        assert "源码版本：未知" in readme
    assert "SOURCE_DATE_EPOCH" in readme
    assert times == {dt.datetime.fromtimestamp(epoch, dt.timezone.utc).timetuple()[:6]}
    assert "2023-11-15" in readme  # 1700000000 = 2023-11-14T22:13:20Z = 2023-11-15 06:13:20 +08:00
    assert (project / "out" / "x.zip.sha256").read_text(encoding="utf-8").endswith("  x.zip\n")


def test_bad_content_fails_and_leaves_the_existing_zip_untouched(tmp_path):
    project = make_project(tmp_path / "project")
    dist = project / "dist"
    dist.mkdir()
    (dist / ZIP_NAME).write_bytes(b"previous archive")
    (dist / f"{ZIP_NAME}.sha256").write_text("previous checksum\n", encoding="utf-8")
    path = project / "content" / UNIT / "cun-ganbu-huachengbao.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("name:", "nmae:", 1), encoding="utf-8")
    done = run_archive(project, YEAR)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "error" in done.stdout
    assert (dist / ZIP_NAME).read_bytes() == b"previous archive"
    assert (dist / f"{ZIP_NAME}.sha256").read_text(encoding="utf-8") == "previous checksum\n"
    assert sorted(p.name for p in dist.iterdir()) == [ZIP_NAME, f"{ZIP_NAME}.sha256"]
    assert not (project / "build" / "archive").exists()
    assert not (project / "site").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give either a year or --all"),
        (("2025", "--all"), "give either a year or --all"),
        (("2024",), "no such year"),
        (("25",), "not a four-digit year"),
    ],
)
def test_usage_errors_exit_2(tmp_path, args, message):
    project = make_project(tmp_path / "project")
    done = run_archive(project, *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert not (project / "dist").exists()


# Pure parts -------------------------------------------------------------------------------------------


def test_zip_bytes_depends_only_on_names_contents_and_time():
    files = {"b/2.txt": b"two", "a.txt": b"one" * 100, "b/c/3.txt": b""}
    first = zip_bytes(files, 1_000_000_000)
    assert zip_bytes(dict(reversed(list(files.items()))), 1_000_000_000) == first
    assert zip_bytes(files, 1_000_000_002) != first
    # Before 1980 (the zip format's epoch) the time is clamped instead of failing.
    with zipfile.ZipFile(__import__("io").BytesIO(zip_bytes(files, 0))) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert zf.namelist() == ["a.txt", "b/", "b/2.txt", "b/c/", "b/c/3.txt"]


def test_manifest_format():
    text = manifest({"z.txt": b"z", "a/b.txt": b""}).decode()
    assert text == (f"{hashlib.sha256(b'').hexdigest()}  a/b.txt\n{hashlib.sha256(b'z').hexdigest()}  z.txt\n")


def test_offline_overrides_keep_search_options_and_use_the_vendored_shim(tmp_path):
    raw = {
        "plugins": [{"search": {"lang": "zh", "jieba_dict_user": "build/jieba_user_dict.txt"}}, "tags"],
        "extra": {
            "repository": {"url": "https://example.invalid/r"},
            "polyfills": ["https://unpkg.com/iframe-worker/shim", "x.js"],
        },
    }
    out = offline_overrides(raw, tmp_path / "dict.txt")
    assert out["plugins"] == [{"search": {"lang": "zh", "jieba_dict_user": str(tmp_path / "dict.txt")}}, "tags", "offline"]
    assert out["extra"] == {
        "repository": {"url": "https://example.invalid/r"},
        "polyfills": ["x.js", "assets/javascripts/vendor/iframe-worker/shim.js"],
    }
    assert out["use_directory_urls"] is False
    assert raw["plugins"][0]["search"]["jieba_dict_user"] == "build/jieba_user_dict.txt", "input not modified"
    assert offline_overrides({}, None)["plugins"] == ["search", "offline"]


def test_offline_check_rejects_remote_loads(tmp_path):
    from generator.archive.offline import SHIM, ArchiveError, check_offline as _check_offline

    (tmp_path / SHIM).parent.mkdir(parents=True)
    (tmp_path / SHIM).write_text("", encoding="utf-8")
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "search_index.js").write_text("var __index = {}", encoding="utf-8")
    page = tmp_path / "index.html"
    page.write_text('<a href="https://example.invalid/">outbound link: fine</a>', encoding="utf-8")
    _check_offline(tmp_path)
    for remote in [
        '<script src="https://unpkg.com/iframe-worker/shim"></script>',
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">',
    ]:
        page.write_text(remote, encoding="utf-8")
        with pytest.raises(ArchiveError, match="would load a remote resource"):
            _check_offline(tmp_path)
