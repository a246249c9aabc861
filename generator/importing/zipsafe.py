"""Bounds a Word file must satisfy before python-docx parses it (the rules of `excel.safety` for workbooks).

The zip: at most `MAX_MEMBERS` members, declared sizes adding up to at most `MAX_UNCOMPRESSED`, no member
compressed more than `MAX_RATIO`:1, not encrypted. Every XML member is streamed through expat with no DTD
(so no entity can be declared, expanded or fetched); what python-docx then builds is bounded by the
XML members' total size `MAX_XML` (no element handler runs in Python: the stream check costs little next to the parse).
Workbooks (.xlsx) go through `excel.safety.check_archive` itself.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from generator.importing.problems import Refused
from generator.xmlstream import stream_without_dtd

MAX_MEMBERS = 2000
MAX_UNCOMPRESSED = 100 * 1024 * 1024
#: XML that python-docx builds a tree of (a tree takes ten times its text and more): all XML members together.
MAX_XML = 20 * 1024 * 1024
MAX_RATIO = 200


def _stream(name: str, fh: Any) -> None:
    stream_without_dtd(
        fh,
        lambda: Refused("invalid-document", f"{name} 含 DTD 或实体声明，出于安全原因拒绝读取"),
        lambda exc: Refused("invalid-document", f"{name} 的 XML 无法解析（第 {exc.lineno} 行）"),
    )


def check_zip(raw: bytes, what: str = "docx") -> None:
    """Refuse a zip that is not one, a zip bomb, an encrypted file, or XML with a DTD or too many elements."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise Refused("invalid-document", f"不是有效的 {what} 文件（zip 结构损坏或不是 zip：{exc}）") from None
    with archive:
        if len(infos) > MAX_MEMBERS:
            raise Refused("document-too-large", f"压缩包中有 {len(infos)} 个文件，超过上限 {MAX_MEMBERS}")
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED:
            raise Refused("document-too-large", f"解压后共 {total} 字节，超过上限 {MAX_UNCOMPRESSED} 字节（可能是压缩炸弹）")
        xml = sum(i.file_size for i in infos if i.filename.endswith((".xml", ".rels")))
        if xml > MAX_XML:
            raise Refused("document-too-large", f"文档的 XML 部分解压后共 {xml} 字节，超过上限 {MAX_XML} 字节")
        for info in infos:
            if info.flag_bits & 0x1:
                raise Refused("invalid-document", "文件已加密（请先取消密码保护）")
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise Refused("document-too-large", f"{info.filename} 的压缩比异常（可能是压缩炸弹）")
            if not info.filename.endswith((".xml", ".rels")):
                continue
            try:
                with archive.open(info) as fh:
                    _stream(info.filename, fh)
            except Refused:
                raise
            except Exception as exc:  # zlib.error, BadZipFile (CRC) ...
                raise Refused("invalid-document", f"{info.filename} 无法读取（{type(exc).__name__}）") from None
