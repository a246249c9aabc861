"""The `disclosure` command: thin sub-commands that call the stages."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Sequence

from generator import __version__
from generator.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, DisclosureError


def _add_content(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", default="content", metavar="DIR", help="内容目录（默认 content）")


def _add_format(parser: argparse.ArgumentParser) -> None:
    from generator.problems import FORMATS

    parser.add_argument(
        "--format",
        dest="problem_format",
        choices=FORMATS,
        default="auto",
        help="问题的输出格式：text 只输出文字行；github 每个问题之后再输出一条 GitHub 注释；"
        "auto（默认）在 GITHUB_ACTIONS=true 时为 github",
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
        merged.acknowledged += sum(1 for path in result.acknowledged_in if _within(path, wanted))
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
        shard=args.shard,
    )


def cmd_merge(args: argparse.Namespace) -> int:
    from generator.site.shards import merge_site

    return merge_site(args.shards, site_dir=args.site_dir, config=args.config)


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    from generator.site.serve import serve

    status = serve(content=args.content, config=args.config, addr=args.dev_addr, only=args.only)
    # The server has stopped (Ctrl-C): end now, without waiting for a regeneration or piece build still
    # running in a background thread (what it would have written is made again on the next start).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


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


def cmd_import(args: argparse.Namespace) -> int:
    from generator.importing.command import run_import
    from generator.importing.session import Options

    options = Options(unit_id=args.unit_id, id=args.id, year=args.year, layout=args.layout, category=args.category)
    return run_import(args.files, content=args.content, force=args.force, dry_run=args.dry_run, options=options)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="disclosure",
        description="预算绩效目标公开：校验 YAML 表单并生成可检索的静态网站。",
    )
    parser.add_argument("--version", action="version", version=f"disclosure {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    check = sub.add_parser("check", help="校验 content/ 中的全部表单")
    check.add_argument(
        "paths", nargs="*", metavar="PATH", help="只报告这些文件或目录（在 content/ 内）中的问题；所在单位目录仍一起校验"
    )
    _add_content(check)
    check.add_argument("--strict", action="store_true", help="警告也算失败（退出码 1）")
    check.add_argument("--jobs", type=int, default=None, metavar="N", help="并行进程数（默认：全部核心；表单较少时单进程）")
    _add_format(check)
    check.set_defaults(func=cmd_check)

    schema = sub.add_parser("schema", help="写出每个表样两种表单的 JSON Schema 和表样文件的 JSON Schema")
    _add_content(schema)
    schema.add_argument("-o", "--output", default="schema", metavar="DIR", help="输出目录（默认 schema）")
    schema.add_argument("--check", action="store_true", help="只检查文件是否最新，不写入")
    schema.set_defaults(func=cmd_schema)

    build = sub.add_parser("build", help="校验、生成页面并用 MkDocs 构建 site/")
    _add_content(build)
    build.add_argument("-d", "--site-dir", default="site", metavar="DIR", help="输出目录（默认 site）")
    build.add_argument("-f", "--config", default="mkdocs.yml", metavar="FILE", help="MkDocs 配置文件（默认 mkdocs.yml）")
    build.add_argument("--strict", action="store_true", help="内容警告也中止构建")
    build.add_argument("--jobs", type=int, default=None, metavar="N", help="并行进程数（默认：全部核心；表单较少时单进程）")
    build.add_argument("--no-excel", action="store_true", help="不生成 Excel 工作簿和年度数据文件（更快；YAML、JSON 下载照常）")
    build.add_argument(
        "--shard",
        default=None,
        metavar="N/M|YEAR",
        help="只构建第 N 片（共 M 片）或一个年度，输出到 --site-dir，再用 disclosure merge 合并",
    )
    _add_format(build)
    build.set_defaults(func=cmd_build)

    merge = sub.add_parser("merge", help="把 build --shard 的各片输出合并成一个网站")
    merge.add_argument("shards", nargs="+", metavar="DIR", help="disclosure build --shard 的输出目录")
    merge.add_argument("-d", "--site-dir", default="site", metavar="DIR", help="输出目录（默认 site）")
    merge.add_argument("-f", "--config", default="mkdocs.yml", metavar="FILE", help="MkDocs 配置文件（默认 mkdocs.yml）")
    merge.set_defaults(func=cmd_merge)

    serve = sub.add_parser("serve", help="本地预览，修改后自动刷新")
    _add_content(serve)
    serve.add_argument("-f", "--config", default="mkdocs.yml", metavar="FILE", help="MkDocs 配置文件（默认 mkdocs.yml）")
    serve.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", metavar="IP:PORT", help="地址（默认 127.0.0.1:8000）")
    serve.add_argument("--only", default=None, metavar="YEAR[/UNIT]", help="只生成并预览这个年度或单位（大型内容库中更快）")
    serve.set_defaults(func=cmd_serve)

    archive = sub.add_parser("archive", help="把一个年度打包成可离线浏览、可校验的 zip 归档")
    archive.add_argument("year", nargs="?", default=None, metavar="YEAR", help="年度，如 2025")
    archive.add_argument("--all", action="store_true", help="内容目录中的每个年度各打包一个 zip")
    archive.add_argument(
        "-o",
        "--output",
        default=None,
        metavar="FILE|DIR",
        help="zip 文件（指定年度时）或目录（--all 时）；默认 dist/disclosure-年度.zip",
    )
    _add_content(archive)
    archive.add_argument("-f", "--config", default="mkdocs.yml", metavar="FILE", help="MkDocs 配置文件（默认 mkdocs.yml）")
    archive.add_argument("--jobs", type=int, default=None, metavar="N", help="并行进程数（默认：全部核心；表单较少时单进程）")
    _add_format(archive)
    archive.set_defaults(func=cmd_archive)

    diff = sub.add_parser("diff", help="两个 git 版本之间表单的变化")
    diff.add_argument(
        "base",
        nargs="?",
        default=None,
        metavar="BASE",
        help="旧版本（默认：HEAD 与 main 的合并基点，其次 origin/main，再次 HEAD^1）",
    )
    diff.add_argument("head", nargs="?", default=None, metavar="HEAD", help="新版本（默认：工作区，含未提交的修改）")
    diff.add_argument(
        "--format",
        choices=("text", "markdown"),
        default="text",
        help="text 用于终端（默认）；markdown 用于拉取请求评论和作业摘要",
    )
    _add_content(diff)
    diff.set_defaults(func=cmd_diff)

    new = sub.add_parser("new", help="新建一张待填写的整体表或项目表")
    new.add_argument("kind", choices=("unit", "project"), help="unit：整体表 unit.yml；project：项目表")
    new.add_argument("--year", default=None, help="年度，如 2025")
    new.add_argument("--unit", default=None, metavar="UNIT-ID", help="项目表：所在单位目录，如 renhe-shehui-gongzuobu")
    new.add_argument("--id", default=None, metavar="ID", help="项目编号（文件名）或单位编号（目录名）")
    new.add_argument("--name", default=None, help="项目名称，或单位名称（预算单位）")
    new.add_argument("--layout", default=None, metavar="NAME", help="新表单的表样（默认：该年度的默认表样）")
    new.add_argument(
        "--unit-name",
        default=None,
        metavar="NAME",
        help="目录中没有 unit.yml 的项目表（表样不要求整体表时）：预算单位名称",
    )
    new.add_argument("--category", default=None, metavar="类别", help="项目表：表样的项目类别之一（表样有类别时）")
    new.add_argument("--total", default=None, metavar="AMOUNT", help="项目表：表样的资金总额一栏，如 10")
    new.add_argument("--fiscal", default=None, metavar="AMOUNT", help="项目表：表样的财政资金一栏（默认：总额 − 其他资金）")
    new.add_argument("--other", default=None, metavar="AMOUNT", help="项目表：表样的其他资金一栏（默认留空）")
    _add_content(new)
    new.set_defaults(func=cmd_new)

    migrate = sub.add_parser("migrate", help="把按早期固定模型写的表单升级为表样格式")
    _add_content(migrate)
    migrate.add_argument("--layout", default=None, metavar="NAME", help="目标表样（默认：文件自己的，或该年度的默认表样）")
    migrate.add_argument("--dry-run", action="store_true", help="只显示将要发生的改动（diff），不写入")
    migrate.set_defaults(func=cmd_migrate)
    export_xlsx = sub.add_parser("export-xlsx", help="每张表单导出一个与原表格式相同的 Excel 工作簿")
    _add_content(export_xlsx)
    export_xlsx.add_argument("-o", "--output", default="build/xlsx", metavar="DIR", help="输出目录（默认 build/xlsx）")
    _add_format(export_xlsx)
    export_xlsx.set_defaults(func=cmd_export_xlsx)

    export_data = sub.add_parser("export-data", help="导出每个年度的数据文件（xlsx、CSV、JSON、SQLite）")
    _add_content(export_data)
    export_data.add_argument("-o", "--output", default="build/data", metavar="DIR", help="输出目录（默认 build/data）")
    _add_format(export_data)
    export_data.set_defaults(func=cmd_export_data)

    import_xlsx = sub.add_parser("import-xlsx", help="把导出并修改过的 Excel 工作簿导入为 YAML 表单")
    import_xlsx.add_argument("files", nargs="+", metavar="FILE", help="由 export-xlsx 或 export-data 导出的工作簿")
    _add_content(import_xlsx)
    import_xlsx.add_argument("--force", action="store_true", help="覆盖内容不同的已有文件")
    import_xlsx.add_argument("--dry-run", action="store_true", help="只显示将要发生的改动（diff），不写入")
    _add_format(import_xlsx)
    import_xlsx.set_defaults(func=cmd_import_xlsx)

    imp = sub.add_parser("import", help="把单位公开的申报表（Word、Excel、PDF、网页、文字）导入为经过校验的 YAML")
    imp.add_argument("files", nargs="+", metavar="FILE", help="单位公开的文件：.docx .doc .xlsx .xls .pdf .html .txt")
    _add_content(imp)
    imp.add_argument("--dry-run", action="store_true", help="只显示将要新建或改动的文件（diff），不写入")
    imp.add_argument("--force", action="store_true", help="覆盖内容不同的已有文件")
    imp.add_argument(
        "--unit-id", default=None, metavar="ID", help="单位编号（默认：该年度中同一单位的目录，否则由单位名称的拼音生成）"
    )
    imp.add_argument(
        "--id", default=None, metavar="ID", help="项目编号（文件中只有一张项目表时；默认：同名项目的编号，否则由名称的拼音生成）"
    )
    imp.add_argument("--year", default=None, metavar="YEAR", help="预算年度（原表没有印出年度时）")
    imp.add_argument("--layout", default=None, metavar="NAME", help="表样（几个表样同样相符时）")
    imp.add_argument("--category", default=None, metavar="类别", help="项目类别（标题没有说明类别时）")
    _add_format(imp)
    imp.set_defaults(func=cmd_import)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from generator.problems import set_format

    set_format(getattr(args, "problem_format", None))
    func: Callable[[argparse.Namespace], int] = args.func
    return run_command(args.command, lambda: func(args))


def run_command(command: str, call: Callable[[], int]) -> int:
    """Run one command; map the exception hierarchy (generator.errors) to messages and exit codes."""
    try:
        return call()
    except KeyboardInterrupt:
        print(f"disclosure {command}: 已中断", file=sys.stderr)
        return EXIT_INTERRUPTED
    except DisclosureError as exc:
        for message in exc.messages:
            print(f"disclosure {command}: 错误：{message}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        where = f"：{exc.filename}" if exc.filename else ""
        print(f"disclosure {command}: 错误：{exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_PROBLEMS
    except Exception:
        import traceback

        traceback.print_exc()
        print(f"disclosure {command}: 内部错误（这是本工具的缺陷，不是内容的问题）：请把上面的信息报告给维护者", file=sys.stderr)
        return EXIT_INTERNAL
