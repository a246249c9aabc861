"""The `disclosure` command: thin sub-commands that call the stages."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Sequence

from generator import __version__

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _add_content(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", default="content", metavar="DIR", help="content folder (default: content)")


def _add_format(parser: argparse.ArgumentParser) -> None:
    from generator.problems import FORMATS

    parser.add_argument(
        "--format",
        dest="problem_format",
        choices=FORMATS,
        default="auto",
        help="how problems are printed: text lines, or text lines plus GitHub annotations "
        "(default: github when GITHUB_ACTIONS=true, else text)",
    )


def _report(result, strict: bool, out=None) -> int:
    """Print problems and the summary line; return the exit status."""
    from generator.problems import report, summary

    out = out or sys.stdout
    report(result.problems, out)
    print(summary(result.problems, result.acknowledged, result.forms_checked), file=out)
    if result.errors or (strict and result.warnings):
        return EXIT_PROBLEMS
    return EXIT_OK


def _within(path: str, wanted: list[str]) -> bool:
    """Whether a content path is one of the named files or inside one of the named folders."""
    return any(path == w or path.startswith(w.rstrip("/") + "/") for w in wanted)


def cmd_check(args: argparse.Namespace) -> int:
    from generator.forms.validate import check_content

    if not Path(args.content).is_dir():
        print(f"disclosure check: error: content folder not found: {args.content}", file=sys.stderr)
        return EXIT_USAGE
    if not args.paths:
        return _report(check_content(args.content, jobs=args.jobs, keep_forms=False), args.strict)
    scopes = _check_scopes(args.content, args.paths)
    if scopes is None:
        return EXIT_USAGE
    from generator.forms.validate import CheckResult

    merged = CheckResult(files=[], problems=[])
    for scope, wanted in scopes.items():
        # A form is checked with its whole unit folder (the sums span it); only the named files are reported.
        result = check_content(args.content, jobs=args.jobs, keep_forms=False, only=scope)
        merged.files += [f for f in result.files if _within(f.path, wanted)]
        # Sums that span the unit folder are reported too: editing a project can break its unit's line.
        merged.problems += [
            p for p in result.problems if _within(p.path, wanted) or (p.code in _CROSS_FORM and scope.count("/") == 1)
        ]
        merged.acknowledged += result.acknowledged
    merged.problems.sort()
    return _report(merged, args.strict)


_CROSS_FORM = {"project-sum-mismatch", "missing-project-forms", "duplicate-id", "unit-mismatch", "missing-unit"}


def _check_scopes(content: str, paths: list[str]) -> dict[str, list[str]] | None:
    """Map each path given to `check` to the folder to check ("YEAR" or "YEAR/UNIT") and what to report."""
    from generator.problems import relpath

    root = Path(content).resolve()
    scopes: dict[str, list[str]] = {}
    for given in paths:
        path = Path(given).resolve()
        try:
            parts = path.relative_to(root).parts
        except ValueError:
            print(f"disclosure check: error: {given} is not inside the content folder {content}", file=sys.stderr)
            return None
        if not path.exists():
            print(f"disclosure check: error: no such file or folder: {given}", file=sys.stderr)
            return None
        if not parts:
            scope = ""
        elif len(parts) == 1:
            scope = parts[0]
        else:
            scope = f"{parts[0]}/{parts[1]}"
        scopes.setdefault(scope, []).append(relpath(path))
    return scopes


def cmd_schema(args: argparse.Namespace) -> int:
    from generator.forms.registry import registry_for
    from generator.forms.schemas import schema_documents

    registry = registry_for(args.content)
    out = Path(args.output)
    stale = []
    documents = schema_documents(registry)
    for rel, data in documents.items():
        path = out / rel
        if args.check:
            if not path.is_file() or path.read_bytes() != data:
                stale.append(str(path))
            continue
        from generator.fileio import write_bytes_atomic

        if write_bytes_atomic(path, data):
            print(f"wrote {path}")
    if stale:
        print("disclosure schema: out of date (run `disclosure schema`): " + ", ".join(stale), file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from generator.site.build import build_site

    return build_site(
        content=args.content,
        site_dir=args.site_dir,
        strict=args.strict,
        config=args.config,
        jobs=args.jobs,
        downloads=not args.no_excel,
    )


def cmd_serve(args: argparse.Namespace) -> int:
    from generator.site.serve import serve

    return serve(content=args.content, config=args.config, addr=args.dev_addr, only=args.only)


def cmd_archive(args: argparse.Namespace) -> int:
    from generator.archive.pack import archive

    return archive(args.year, args.all, args.output, content=args.content, config=args.config, jobs=args.jobs)


def cmd_diff(args: argparse.Namespace) -> int:
    from generator.editing.diff import run

    return run(args.base, args.head, content=args.content, fmt=args.format)


def cmd_new(args: argparse.Namespace) -> int:
    from generator.editing.new import run

    return run(
        args.kind,
        content=args.content,
        layout=args.layout,
        year=args.year,
        unit=args.unit,
        id=args.id,
        name=args.name,
        unit_name=args.unit_name,
        category=args.category,
        total=args.total,
        fiscal=args.fiscal,
        other=args.other,
    )


def cmd_migrate(args: argparse.Namespace) -> int:
    from generator.editing.migrate import migrate

    return migrate(content=args.content, layout=args.layout, dry_run=args.dry_run)


def cmd_export_xlsx(args: argparse.Namespace) -> int:
    from generator.excel.workbook import export_xlsx

    return export_xlsx(content=args.content, output=args.output)


def cmd_export_data(args: argparse.Namespace) -> int:
    from generator.excel.workbook import export_data

    return export_data(content=args.content, output=args.output)


def cmd_import_xlsx(args: argparse.Namespace) -> int:
    from generator.excel.importer import import_xlsx

    return import_xlsx(args.files, content=args.content, force=args.force, dry_run=args.dry_run)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="disclosure",
        description="预算绩效目标公开：校验 YAML 表单并生成可检索的静态网站。",
    )
    parser.add_argument("--version", action="version", version=f"disclosure {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    check = sub.add_parser("check", help="validate every form in content/ (校验表单)")
    check.add_argument("paths", nargs="*", metavar="PATH", help="only report these files or folders inside content/")
    _add_content(check)
    check.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    check.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    _add_format(check)
    check.set_defaults(func=cmd_check)

    schema = sub.add_parser(
        "schema", help="write the JSON Schemas of every layout's forms and of layout files (生成 JSON Schema)"
    )
    _add_content(schema)
    schema.add_argument("-o", "--output", default="schema", metavar="DIR", help="output folder (default: schema)")
    schema.add_argument("--check", action="store_true", help="only check that the files are up to date")
    schema.set_defaults(func=cmd_schema)

    build = sub.add_parser("build", help="check, render pages and build site/ with MkDocs (构建网站)")
    _add_content(build)
    build.add_argument("-d", "--site-dir", default="site", metavar="DIR", help="output folder (default: site)")
    build.add_argument("-f", "--config", default="mkdocs.yml", metavar="FILE", help="MkDocs config (default: mkdocs.yml)")
    build.add_argument("--strict", action="store_true", help="content warnings fail the build too")
    build.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    build.add_argument("--no-excel", action="store_true", help="skip the Excel workbooks and per-year data files (faster)")
    _add_format(build)
    build.set_defaults(func=cmd_build)

    serve = sub.add_parser("serve", help="preview the site with live reload (本地预览)")
    _add_content(serve)
    serve.add_argument("-f", "--config", default="mkdocs.yml", metavar="FILE", help="MkDocs config (default: mkdocs.yml)")
    serve.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", metavar="IP:PORT", help="address (default: 127.0.0.1:8000)")
    serve.add_argument("--only", default=None, metavar="YEAR[/UNIT]", help="preview only this year or unit (fast)")
    serve.set_defaults(func=cmd_serve)

    archive = sub.add_parser("archive", help="pack a year as an offline, verifiable zip (离线归档)")
    archive.add_argument("year", nargs="?", default=None, metavar="YEAR", help="fiscal year, e.g. 2025")
    archive.add_argument("--all", action="store_true", help="one zip per year found in the content folder")
    archive.add_argument(
        "-o",
        "--output",
        default=None,
        metavar="FILE|DIR",
        help="zip file (YEAR) or folder (--all); default: dist/disclosure-YEAR.zip",
    )
    _add_content(archive)
    archive.add_argument("-f", "--config", default="mkdocs.yml", metavar="FILE", help="MkDocs config (default: mkdocs.yml)")
    archive.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    _add_format(archive)
    archive.set_defaults(func=cmd_archive)

    diff = sub.add_parser("diff", help="what changed in the forms between two git revisions (表单变化)")
    diff.add_argument(
        "base",
        nargs="?",
        default=None,
        metavar="BASE",
        help="old revision (default: merge base of HEAD with main, else origin/main, else HEAD^1)",
    )
    diff.add_argument("head", nargs="?", default=None, metavar="HEAD", help="new revision (default: the working tree)")
    diff.add_argument(
        "--format",
        choices=("text", "markdown"),
        default="text",
        help="text for a terminal (default), markdown for pull-request comments and job summaries",
    )
    _add_content(diff)
    diff.set_defaults(func=cmd_diff)

    new = sub.add_parser("new", help="write a new unit or project form to fill in (新建表单)")
    new.add_argument("kind", choices=("unit", "project"), help="unit: 整体表 unit.yml; project: 项目表")
    new.add_argument("--year", default=None, help="fiscal year, e.g. 2025")
    new.add_argument("--unit", default=None, metavar="UNIT-ID", help="project: the unit folder, e.g. renhe-shehui-gongzuobu")
    new.add_argument("--id", default=None, metavar="ID", help="project id (file name) or unit id (folder name)")
    new.add_argument("--name", default=None, help="project name (项目名称) or unit name (预算单位)")
    new.add_argument(
        "--layout", default=None, metavar="NAME", help="layout (表样) of the new form (default: the year's default layout)"
    )
    new.add_argument(
        "--unit-name",
        default=None,
        metavar="NAME",
        help="project in a folder without unit.yml (layouts without a required unit form): 预算单位",
    )
    new.add_argument(
        "--category", default=None, metavar="类别", help="project: one of the layout's categories (项目类别), if it has any"
    )
    new.add_argument("--total", default=None, metavar="AMOUNT", help="project: the layout's 年度资金总额 cell, e.g. 10")
    new.add_argument(
        "--fiscal", default=None, metavar="AMOUNT", help="project: the layout's 财政资金 cell (default: total - other)"
    )
    new.add_argument("--other", default=None, metavar="AMOUNT", help="project: the layout's 其他资金 cell (default: blank)")
    _add_content(new)
    new.set_defaults(func=cmd_new)

    migrate = sub.add_parser("migrate", help="upgrade forms written for the earlier fixed model to a layout (迁移表单)")
    _add_content(migrate)
    migrate.add_argument(
        "--layout", default=None, metavar="NAME", help="target layout (default: each file's own or the year's default)"
    )
    migrate.add_argument("--dry-run", action="store_true", help="print a diff of what would change; write nothing")
    migrate.set_defaults(func=cmd_migrate)
    export_xlsx = sub.add_parser("export-xlsx", help="write a workbook per form, laid out like the printed form (导出 Excel)")
    _add_content(export_xlsx)
    export_xlsx.add_argument("-o", "--output", default="build/xlsx", metavar="DIR", help="output folder (default: build/xlsx)")
    _add_format(export_xlsx)
    export_xlsx.set_defaults(func=cmd_export_xlsx)

    export_data = sub.add_parser("export-data", help="per-year data as xlsx, CSV, JSON and SQLite (导出数据)")
    _add_content(export_data)
    export_data.add_argument("-o", "--output", default="build/data", metavar="DIR", help="output folder (default: build/data)")
    _add_format(export_data)
    export_data.set_defaults(func=cmd_export_data)

    import_xlsx = sub.add_parser("import-xlsx", help="turn exported workbooks back into YAML forms (导入 Excel)")
    import_xlsx.add_argument("files", nargs="+", metavar="FILE", help="workbooks exported by export-xlsx or export-data")
    _add_content(import_xlsx)
    import_xlsx.add_argument("--force", action="store_true", help="overwrite existing files that differ")
    import_xlsx.add_argument("--dry-run", action="store_true", help="print a diff of what would change; write nothing")
    _add_format(import_xlsx)
    import_xlsx.set_defaults(func=cmd_import_xlsx)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from generator.problems import set_format

    set_format(getattr(args, "problem_format", None))
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
