"""A small disclosure site in the generator's page layout, for browser tests.

Layout (use_directory_urls: true):
  index.md                      home
  2025/index.md                 year page
  2025/<unit>/index.md          unit page (整体支出绩效目标申报表)
  2025/<unit>/<project>.md      project pages (项目支出绩效目标申报表)
plus unit.yml/unit.json data files, and a jieba user dictionary. Pages are
raw HTML blocks with YAML front matter, like the generator's output; the text
is taken from the seed content (content/2025/renhe-shehui-gongzuobu).

Every link is written in Markdown syntax ([text](target.md)), never as
<a href> inside a raw HTML block: MkDocs rewrites (.md -> URL, per
use_directory_urls) and validates only Markdown links; links inside raw HTML
blocks are passed through untouched and unchecked. Breadcrumb and download
links therefore sit in an inline <span class="..."> inside a paragraph, where
Markdown is still processed. `data-search-exclude` keeps the breadcrumb out
of the search index. Table cells are separated by newlines: Material's
indexer joins the text of adjacent tags, so "<td>189</td><td>189</td>" would
be indexed as the single term "189189".
"""

from __future__ import annotations

UNIT = "renhe-shehui-gongzuobu"
UNIT_NAME = "中共攀枝花市仁和区委社会工作部"

# "word freq tag" per line (jieba.Tokenizer.load_userdict: freq and tag are
# optional; a freq of 0 would force the word to be split).
USER_DICT = "花城保 10 nz\n小马拉大车 10 nz\n两企三新 10 nz\n社工站 10 n\n"


def _project(title: str, category: str, total: str, goal: str, rows: list[tuple[str, str, str, str]]) -> str:
    """A project form: merged first-level indicator cells via rowspan."""
    body = []
    spans: dict[str, int] = {}
    for level1, *_ in rows:
        spans[level1] = spans.get(level1, 0) + 1
    seen: set[str] = set()
    for level1, level2, name, value in rows:
        first = "" if level1 in seen else f'<td rowspan="{spans[level1]}">{level1}</td>'
        seen.add(level1)
        body.append(f"<tr>{first}\n<td>{level2}</td>\n<td>{name}</td>\n<td>{value}</td></tr>")
    rows_html = "\n".join(body)
    return f"""---
title: {title}
---

<span class="breadcrumb" data-search-exclude>[首页](../../index.md) › [2025年度](../index.md) › [{UNIT_NAME}](index.md) › {title}</span>

# {title}

<p class="form-title">{category}项目支出绩效目标申报表<br>（2025年度）</p>

<table class="form-table">
<thead>
<tr><th>一级指标</th>
<th>二级指标</th>
<th>三级指标</th>
<th>指标值</th></tr>
</thead>
<tbody>
<tr><td colspan="2">项目名称</td>
<td colspan="2">{title}</td></tr>
<tr><td colspan="2">预算单位</td>
<td colspan="2">{UNIT_NAME}</td></tr>
<tr><td colspan="2">年度资金总额（万元）</td>
<td colspan="2">{total}</td></tr>
<tr><td colspan="2">年度目标</td>
<td colspan="2">{goal}</td></tr>
{rows_html}
</tbody>
</table>
"""


PAGES: dict[str, str] = {
    "index.md": """---
title: 预算绩效目标公开
---

# 预算绩效目标公开

<p>本站公开各部门（单位）整体支出和项目支出绩效目标申报表。</p>

- [2025年度](2025/index.md)
""",
    "2025/index.md": f"""---
title: 2025年度
---

<span class="breadcrumb" data-search-exclude>[首页](../index.md) › 2025年度</span>

# 2025年度

<p>本年度公开 1 个部门（单位）的绩效目标。</p>

<div class="chart"><svg xmlns="http://www.w3.org/2000/svg" width="320" height="60" viewBox="0 0 320 60" role="img" aria-label="预算资金构成">
<rect x="0" y="10" width="89" height="24" fill="#5b7db1"></rect>
<rect x="89" y="10" width="220" height="24" fill="#b15b5b"></rect>
<text x="2" y="52" font-size="10">人员类 189</text>
<text x="120" y="52" font-size="10">其他运转类 468.95</text>
</svg></div>

- [{UNIT_NAME}]({UNIT}/index.md)
""",
    f"2025/{UNIT}/index.md": f"""---
title: {UNIT_NAME}
---

<span class="breadcrumb" data-search-exclude>[首页](../../index.md) › [2025年度](../index.md) › {UNIT_NAME}</span>

# {UNIT_NAME}

<p class="form-title">部门（单位）整体支出绩效目标申报表<br>（2025年度）</p>

<table class="form-table">
<thead>
<tr><th colspan="2">预算资金（万元）</th>
<th>合计</th>
<th>财政资金</th>
<th>其他资金</th></tr>
</thead>
<tbody>
<tr><td colspan="2">年度资金总额</td>
<td>682.42</td>
<td>682.42</td>
<td></td></tr>
<tr><td rowspan="3">其中</td>
<td>人员类项目支出</td>
<td>189</td>
<td>189</td>
<td></td></tr>
<tr><td>公用经费项目支出</td>
<td>16.47</td>
<td>16.47</td>
<td></td></tr>
<tr><td>其他运转类项目支出</td>
<td>468.95</td>
<td>468.95</td>
<td></td></tr>
<tr><td colspan="2">年度主要任务</td>
<td colspan="3">抓好党建引领基层治理和基层政权建设，持续发力破解“小马拉大车”突出问题，对标落实好各项任务清单，加强镇街社工站建设，让为基层减负赋能成效可感可及。</td></tr>
<tr><td rowspan="2">项目经费</td>
<td>数量指标</td>
<td colspan="3">2025年度其他运转类预算项目7个，特定目标类预算项目1个，共8个项目实施</td></tr>
<tr><td>成本指标</td>
<td colspan="3">其他运转类项目经费468.95万元；特定目标类项目经费8万元，共计476.95万元</td></tr>
</tbody>
</table>

## 项目支出

| 项目名称 | 年度资金总额（万元） |
| --- | ---: |
| [村（社区）常职干部及社工绩效经费](cun-shequ-ganbu-jixiao.md) | 260 |
| [村干部“花城保”经费](cun-ganbu-huachengbao.md) | 5 |
| [“两新”工委实施经费和“两企三新”行业协会商会党建经费](liangxin-gongwei-dangjian.md) | 20 |

<span class="downloads">[下载数据（YAML）](unit.yml) [下载数据（JSON）](unit.json)</span>
""",
    f"2025/{UNIT}/unit.yml": f"id: {UNIT}\nfiscal_year: 2025\nunit_name: {UNIT_NAME}\n",
    f"2025/{UNIT}/unit.json": f'{{"id": "{UNIT}", "fiscal_year": 2025, "unit_name": "{UNIT_NAME}"}}\n',
    f"2025/{UNIT}/cun-shequ-ganbu-jixiao.md": _project(
        "村（社区）常职干部及社工绩效经费",
        "其他运转类",
        "260",
        "通过绩效考核，进一步调动村（社区）干部的工作积极性和主动性，推动村（社区）各项工作的顺利开展。",
        [
            ("项目完成", "数量指标", "村（社区）常职干部及社工人数", "536人"),
            ("项目完成", "质量指标", "考核合格率", "100%"),
            ("项目完成", "时效指标", "完成时效", "2025年"),
            ("项目效益", "社会效益指标", "促进基层治理", "基层治理水平明显提升"),
            ("满意度指标", "满意度指标", "考核对象满意度", "≥95%"),
        ],
    ),
    f"2025/{UNIT}/cun-ganbu-huachengbao.md": _project(
        "村干部“花城保”经费",
        "其他运转类",
        "5",
        "提高村干部报酬和保障水平，全额补助村干部参加“花城保”，作为大病保障补充。",
        [
            ("项目完成", "数量指标", "村干部职数和补助标准", "仁和区现有村干部291人，“花城保”79元/人年"),
            ("项目完成", "质量指标", "覆盖率", "100%"),
            ("项目效益", "社会效益指标", "提高村干部报酬和保障水平", "促进村干部积极性"),
        ],
    ),
    f"2025/{UNIT}/liangxin-gongwei-dangjian.md": _project(
        "“两新”工委实施经费和“两企三新”行业协会商会党建经费",
        "其他运转类",
        "20",
        "指导“两企三新”行业协会商会党的建设“两个覆盖”提档升级，党组织覆盖率要达80%。",
        [
            ("项目完成", "数量指标", "党建培训", "培训党务工作者500人次"),
            ("项目完成", "质量指标", "党组织覆盖率", "80%"),
            ("项目效益", "社会效益指标", "提升“两企三新”组织党建工作质量", "党建工作质量明显提升"),
        ],
    ),
}

PROJECT_PAGES = [p for p in PAGES if p.endswith(".md") and not p.endswith("index.md")]
