"""Ids suggested from names: pinyin of the name's words, short and readable, unique within the unit.

`中共攀枝花市仁和区委社会工作部` -> `renhe-quwei-shehui-gongzuobu`: the leading 中共 and place names
(…省, …市, …州, …县) are left out, words are cut with jieba (one pinyin word per Chinese word), filler
words (及, 和, 的 …) and a trailing 经费 / 项目 / 资金 are dropped, and at most four words (32 letters, cut between words) are kept. The
same name always gives the same id (jieba with its own default dictionary, whatever else the process loaded); the
editor can always set the id (`--unit-id`, `--id`); an id is never derived silently when the name has no
letters or digits to spell (then the importer asks for one).
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Optional

MAX_WORDS = 4
MAX_LENGTH = 32
_FILLER = {"及", "和", "与", "的", "之", "等", "暨", "或"}
_TAIL = ("经费", "项目", "资金", "专项资金", "项目支出")
_PLACE = re.compile(r"^(中共|中国共产党)?(.{2,6}?(省|自治区|市|自治州|州|盟|地区))*")
_WORD = re.compile(r"[a-z0-9]+")


_TOKENIZER: Any = None


def _words(name: str) -> list[str]:
    """Words of a name, cut by a tokenizer of our own (the shared one may have a site's dictionary loaded)."""
    global _TOKENIZER
    if _TOKENIZER is None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        _TOKENIZER = jieba.Tokenizer()
    return [w for w in _TOKENIZER.cut(name) if w.strip()]


def _pinyin(word: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(word)).lower()


def suggest(name: str, taken: Iterable[str] = (), unit: bool = False) -> Optional[str]:
    """Return a short id for `name` not in `taken`, or None when the name gives nothing to spell."""
    text = re.sub(r"\s+", "", name)
    if unit:
        stripped = _PLACE.sub("", text, count=1)
        if len(stripped) >= 2:
            text = stripped
    words = [w for w in _words(text) if w not in _FILLER]
    while len(words) > 1 and words[-1] in _TAIL:
        words.pop()
    spelled = []
    for word in words:
        letters = "-".join(_WORD.findall(_pinyin(word)))
        if letters:
            spelled.append(letters)
    kept: list[str] = []
    for word in spelled[:MAX_WORDS]:
        if kept and len("-".join(kept + [word])) > MAX_LENGTH:
            break
        kept.append(word)
    slug = "-".join(kept)[:MAX_LENGTH].strip("-")
    if not slug:
        return None
    return unique(slug, taken)


def unique(slug: str, taken: Iterable[str]) -> str:
    used = set(taken)
    if slug not in used:
        return slug
    n = 2
    while f"{slug}-{n}" in used:
        n += 1
    return f"{slug}-{n}"
