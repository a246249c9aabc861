"""The `disclosure` command: thin sub-commands that call the stages."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

from generator import __version__

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _add_content(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", default="content", metavar="DIR", help="content folder (default: content)")


def _report(result, strict: bool, out=None) -> int:
    """Print problems and the summary line; return the exit status."""
    from generator.problems import summary

    out = out or sys.stdout
    github = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in result.problems:
        print(problem.format(), file=out)
        if github:
            print(problem.format_github(), file=out)
    print(summary(result.problems, result.acknowledged, result.forms_checked), file=out)
    if result.errors or (strict and result.warnings):
        return EXIT_PROBLEMS
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from generator.validate import check_content

    if not Path(args.content).is_dir():
        print(f"disclosure check: error: content folder not found: {args.content}", file=sys.stderr)
        return EXIT_USAGE
    result = check_content(args.content, jobs=args.jobs, keep_forms=False)
    return _report(result, args.strict)


def cmd_schema(args: argparse.Namespace) -> int:
    from generator.model import ProjectForm, UnitForm, json_schema

    out = Path(args.output)
    stale = []
    for name, model in (("unit", UnitForm), ("project", ProjectForm)):
        text = json.dumps(json_schema(model), ensure_ascii=False, indent=2) + "\n"
        path = out / f"{name}.schema.json"
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
            continue
        out.mkdir(parents=True, exist_ok=True)
        from generator.fileio import write_text_atomic

        if write_text_atomic(path, text):
            print(f"wrote {path}")
    if stale:
        print("disclosure schema: out of date (run `disclosure schema`): " + ", ".join(stale), file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from generator.build import build_site

    return build_site(
        content=args.content,
        site_dir=args.site_dir,
        strict=args.strict,
        config=args.config,
        jobs=args.jobs,
    )


def cmd_serve(args: argparse.Namespace) -> int:
    from generator.serve import serve

    return serve(content=args.content, config=args.config, addr=args.dev_addr, only=args.only)


def cmd_archive(args: argparse.Namespace) -> int:
    from generator.archive import archive

    return archive(args.year, args.all, args.output, content=args.content, config=args.config, jobs=args.jobs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="disclosure",
        description="预算绩效目标公开：校验 YAML 表单并生成可检索的静态网站。",
    )
    parser.add_argument("--version", action="version", version=f"disclosure {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    check = sub.add_parser("check", help="validate every form in content/ (校验表单)")
    _add_content(check)
    check.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    check.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    check.set_defaults(func=cmd_check)

    schema = sub.add_parser("schema", help="write the JSON Schema of both forms (生成 JSON Schema)")
    schema.add_argument("-o", "--output", default="schema", metavar="DIR", help="output folder (default: schema)")
    schema.add_argument("--check", action="store_true", help="only check that the files are up to date")
    schema.set_defaults(func=cmd_schema)

    build = sub.add_parser("build", help="check, render pages and build site/ with MkDocs (构建网站)")
    _add_content(build)
    build.add_argument("-d", "--site-dir", default="site", metavar="DIR", help="output folder (default: site)")
    build.add_argument("-f", "--config", default="mkdocs.yml", metavar="FILE", help="MkDocs config (default: mkdocs.yml)")
    build.add_argument("--strict", action="store_true", help="content warnings fail the build too")
    build.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
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
    archive.add_argument("-o", "--output", default=None, metavar="FILE|DIR",
                         help="zip file (YEAR) or folder (--all); default: dist/disclosure-YEAR.zip")
    _add_content(archive)
    archive.add_argument("-f", "--config", default="mkdocs.yml", metavar="FILE", help="MkDocs config (default: mkdocs.yml)")
    archive.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    archive.set_defaults(func=cmd_archive)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
