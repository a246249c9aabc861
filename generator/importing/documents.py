"""Which reader a file needs, by its name and its first bytes; every reader is bounded before it parses.

`.txt` / `.tsv` (pasted text, a marked grid), `.docx`, `.xlsx`, `.xls`, `.pdf`, `.html` / `.htm`, and `.doc`
(converted with LibreOffice when `soffice` is installed). Every file is read with `read_regular_file`
(no symlinks, FIFOs or devices; at most `MAX_FILE_BYTES`), and anything a reader cannot take is `Refused`
with a code and a Chinese message, never a traceback.
"""

from __future__ import annotations

import os

from generator.fileio import FileTooLarge, NotRegularFile, read_regular_file
from generator.importing.grid import Document, read_marked_grid, read_text
from generator.importing.problems import Refused

MAX_FILE_BYTES = 30 * 1024 * 1024
#: A text file larger than this is not a form (the sample unit with nine forms is 30 KB).
MAX_TEXT_BYTES = 5 * 1024 * 1024
SUFFIXES = (".txt", ".tsv", ".docx", ".doc", ".xlsx", ".xls", ".pdf", ".html", ".htm")


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Refused("invalid-document", "文本文件既不是 UTF-8 也不是 GB18030 编码")


def sniff(raw: bytes, suffix: str) -> str:
    """Return the format the bytes are, checked against the name (a .docx that is not a zip is refused)."""
    if raw.startswith(b"PK\x03\x04"):
        return suffix if suffix in (".docx", ".xlsx") else "zip"
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        return suffix if suffix in (".xls", ".doc") else "ole"
    if raw.startswith(b"%PDF"):
        return ".pdf"
    return suffix


def read_document(path: str) -> Document:
    """Read any supported file into rows of cells, or raise `Refused`."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in SUFFIXES:
        raise Refused("invalid-document", f"不支持的文件类型“{suffix or '（无扩展名）'}”（支持：{'、'.join(SUFFIXES)}）")
    try:
        raw = read_regular_file(path, MAX_TEXT_BYTES if suffix in (".txt", ".tsv", ".html", ".htm") else MAX_FILE_BYTES)
    except FileTooLarge as exc:
        raise Refused("document-too-large", f"文件大小 {exc.size} 字节，超过导入上限") from None
    except NotRegularFile as exc:
        raise Refused("invalid-document", f"不是常规文件（{exc.kind}），不读取") from None
    except OSError as exc:
        raise Refused("invalid-document", f"无法读取文件：{exc.strerror or exc}") from None
    kind = sniff(raw, suffix)
    if kind in ("zip", "ole") or (kind != suffix and not (kind == ".pdf" and suffix == ".pdf")):
        raise Refused("invalid-document", f"文件内容与扩展名“{suffix}”不符")
    if suffix == ".txt":
        return read_text(path, _decode(raw))
    if suffix == ".tsv":
        return read_marked_grid(path, _decode(raw))
    if suffix in (".html", ".htm"):
        from generator.importing.html import read_html

        return read_html(path, _decode(raw))
    if suffix == ".docx":
        from generator.importing.word import read_docx

        return read_docx(path, raw)
    if suffix == ".doc":
        from generator.importing.word import read_doc

        return read_doc(path, raw)
    if suffix == ".xlsx":
        from generator.importing.sheets import read_xlsx

        return read_xlsx(path, raw)
    if suffix == ".xls":
        from generator.importing.sheets import read_xls

        return read_xls(path, raw)
    from generator.importing.pdf import read_pdf

    return read_pdf(path, raw)
