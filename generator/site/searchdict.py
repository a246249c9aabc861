"""The jieba user dictionary of the site's search, built from the content (no file I/O)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

_QUOTED = re.compile(r"[“「『\"]([\u4e00-\u9fff]{2,8})[”」』\"]")
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
#: Domain words jieba's general dictionary splits; users search them as one word.
DOMAIN_WORDS = (
    "绩效目标",
    "绩效指标",
    "申报表",
    "整体支出",
    "项目支出",
    "一级指标",
    "二级指标",
    "三级指标",
    "指标值",
    "年度资金总额",
    "财政拨款",
    "财政资金",
    "其他资金",
    "人员类",
    "运转类",
    "公用经费",
    "特定目标类",
    "其他运转类",
    "数量指标",
    "质量指标",
    "时效指标",
    "成本指标",
    "社会效益",
    "经济效益",
    "生态效益",
    "可持续影响",
    "满意度",
    "社区工作者",
    "社工",
    "换届",
    "基层治理",
    "村干部",
    "志愿服务",
)


def jieba_words(years: list[Any]) -> str:
    """Return a jieba user dictionary ("word freq" lines) built from the content.

    Short level and indicator names and quoted terms (“花城保”, “小马拉大车”) become single search words.
    Long names are left out on purpose: a long entry would become one token and hide the words inside it.
    """
    words: Counter[str] = Counter()
    for word in DOMAIN_WORDS:
        words[word] += 1
    for year in years:
        for unit in year.units:
            forms = ([unit.form] if unit.form is not None else []) + [p.form for p in unit.projects]
            for form in forms:
                for ind in form.indicators:
                    for role in ("level1", "level2", "level3"):
                        label = ind.cell(role) or ""
                        if _HAN.match(label) and len(label) <= 6:
                            words[label] += 1
                for _, text in form.strings():
                    for match in _QUOTED.finditer(text):
                        words[match.group(1)] += 1
    # A high frequency makes jieba keep the word whole even where its statistics would split it.
    return "".join(f"{word} {100000 + count}\n" for word, count in sorted(words.items()))
