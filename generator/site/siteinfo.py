"""Who publishes the site: `extra.site` in mkdocs.yml, shown in every page's footer and on 关于本站.

The theme reads the values itself (overrides/partials/copyright.html, overrides/about.html); this module
only checks them. The shipped values are placeholders starting with PLACEHOLDER. A deploy build (one
with a `site_url`, which the Pages workflow sets) reports every value still unset or a placeholder as a
`site-info-unset` warning at its line in mkdocs.yml; a local build or preview does not.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from generator.problems import Problem, relpath

#: Shipped values start with this: clearly not filled in, and recognised by the check.
PLACEHOLDER = "【请填写】"

#: The settings under `extra.site`, with what each is for (in the warning).
FIELDS = {
    "publisher": "发布单位（本站由谁发布）",
    "contact_info": "联系方式",
    "report": "报告错误的途径（问题反馈网址或电子邮箱）",
    "licence": "数据许可",
    "about": "关于本站的说明",
}


def unset(value: Any) -> bool:
    return value is None or not str(value).strip() or str(value).strip().startswith(PLACEHOLDER)


def _line_of(text: str, key: str) -> tuple[int, int]:
    """Return (line, column) of `key:` below `site:` in the config text, else of `extra:`, else (1, 1)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(r"\s+site:\s*(#.*)?$", line)), None)
    if start is not None:
        for i in range(start + 1, len(lines)):
            match = re.match(rf"(\s+){re.escape(key)}:", lines[i])
            if match:
                return i + 1, len(match.group(1)) + 1
        return start + 1, len(lines[start]) - len(lines[start].lstrip()) + 1
    extra = next((i for i, line in enumerate(lines) if line.startswith("extra:")), None)
    return (extra + 1, 1) if extra is not None else (1, 1)


def site_info_problems(config: str | Path, site_url: str | None = None) -> list[Problem]:
    """Return a `site-info-unset` warning per unset setting, for a deploy build (site_url set) only."""
    from mkdocs.utils.yaml import yaml_load

    path = Path(config)
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml_load(text) or {}
    except Exception:  # noqa: BLE001 - a config MkDocs cannot read is reported by MkDocs itself
        return []
    if not (site_url or data.get("site_url")):
        return []
    site = (data.get("extra") or {}).get("site") or {}
    if not isinstance(site, dict):
        site = {}
    shown = relpath(str(path))
    problems = []
    for key, what in FIELDS.items():
        if unset(site.get(key)):
            line, col = _line_of(text, key)
            problems.append(
                Problem(
                    shown,
                    line,
                    col,
                    "site-info-unset",
                    f"发布网站前请在 mkdocs.yml 的 extra.site.{key} 填写{what}（现在是空的或占位文字“{PLACEHOLDER}…”）",
                )
            )
    return problems
