"""The archive's own texts: the "about this archive" page, README.txt and the note on the home page."""

from __future__ import annotations

from generator.archive.provenance import Provenance
from generator.archive.reproducible import MANIFEST

ABOUT_PAGE = "about-archive.md"
ABOUT_TITLE = "关于本归档"
README = "README.txt"


def about_markdown(year: str, prov: Provenance, zip_name: str) -> str:
    """The archive's own page (Markdown, linked from the home page and the nav)."""
    return f"""---
title: {ABOUT_TITLE}
---

<span class="breadcrumb" data-search-exclude>[首页](index.md) › {ABOUT_TITLE}</span>

# {ABOUT_TITLE}

这是**{year} 年度**部门（单位）整体支出和项目支出绩效目标申报表的**离线归档**（`{zip_name}`）。
解压后双击 `index.html` 即可在浏览器中阅读和全文检索，无需联网，也不会访问任何网络地址。

| 项目 | 内容 |
| --- | --- |
| 预算年度 | {year} 年度 |
| 构建日期 | {prov.date_text} |
| 源码版本 | {prov.revision_text} |

## 归档内容

- 网页：本年度的单位页和项目页，可全文检索；每张表的页面上可下载该表的 YAML 和 JSON 数据。
- `data/content/{year}/`：本年度全部表单的 YAML 源文件，与发布时的源文件逐字节相同。
- `data/schema/`：表单格式（JSON Schema）。
- `README.txt`：本说明的纯文本版本。
- `MANIFEST.sha256`：除它自身以外每个文件的 SHA-256 校验值。

## 如何校验

在解压后的文件夹中运行：

    sha256sum -c MANIFEST.sha256

每一行都应显示“成功”（OK）。压缩包 `{zip_name}` 本身的 SHA-256 校验值发布在网站上
（`{zip_name}.sha256`），可用 `sha256sum -c {zip_name}.sha256` 核对下载的文件。
Windows 中可在 PowerShell 运行 `Get-FileHash -Algorithm SHA256 文件名`，与清单中的值逐一比对。
"""


def readme_text(year: str, prov: Provenance, zip_name: str) -> str:
    """README.txt at the zip root (plain text, CRLF-free UTF-8)."""
    return f"""{year} 年度绩效目标申报表离线归档
{"=" * 30}

这是 {year} 年度部门（单位）整体支出和项目支出绩效目标申报表的离线归档（{zip_name}）。
解压后双击 index.html 即可在浏览器中阅读和全文检索，无需联网，也不会访问任何网络地址。

预算年度：{year} 年度
构建日期：{prov.date_text}
源码版本：{prov.revision_text}

归档内容
--------
{_listing(year)}
如何校验
--------
在解压后的文件夹中运行：

    sha256sum -c MANIFEST.sha256

每一行都应显示“成功”（OK）。压缩包 {zip_name} 本身的 SHA-256 校验值发布在网站上
（{zip_name}.sha256），可用 sha256sum -c {zip_name}.sha256 核对下载的文件。
Windows 中可在 PowerShell 运行 Get-FileHash -Algorithm SHA256 文件名，与清单中的值逐一比对。
"""


def _listing(year: str) -> str:
    rows = [
        ("index.html", f"首页；“{ABOUT_TITLE}”页面与本文件内容相同"),
        (f"{year}/", "本年度的单位页和项目页，以及每张表的 YAML、JSON 数据"),
        (f"data/content/{year}/", "本年度全部表单的 YAML 源文件，与发布时的源文件逐字节相同"),
        ("data/schema/", "表单格式（JSON Schema）"),
        (MANIFEST, "除它自身以外每个文件的 SHA-256 校验值"),
    ]
    return "".join(f"{name.ljust(24)}{text}\n" for name, text in rows)


def home_note(year: str) -> str:
    """Appended to the archive's home page so the about page is one click away from index.html."""
    return f"""

## 离线归档

本网站是 {year} 年度的离线归档，说明、源码版本和校验方法见[{ABOUT_TITLE}]({ABOUT_PAGE})。
"""
