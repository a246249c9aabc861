"""Any text in any field renders literally: no HTML, Markdown syntax, link or attribute survives."""

from __future__ import annotations

import html
from decimal import Decimal
from html.parser import HTMLParser

import markdown
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.site.escape import escape_text
from generator.forms.form import Form
from generator.forms.registry import registry_for
from generator.site.render import ProjectPage, Settings, UnitPage, render_project
from generator.forms.validate import FormFile
from tests.support import CONTENT, examples

LAYOUT = registry_for(CONTENT).layouts["sichuan-panzhihua-2025"]

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[点我](javascript:alert(1))",
    "![x](javascript:alert(1))",
    "{: onclick=alert(1) }",
    "a | b | c",
    '--8<-- "/etc/passwd"',
    "&copy; &lt;b&gt; &#60;",
    "*强调* _下划线_ `代码` ~~删除~~ **粗体**",
    "# 标题\n## 二级\n- 列表\n1. 编号",
    "<https://example.org>",
    "\\<b\\>",
    "::error file=x,line=1::fake",
    "</td></tr></table><script>alert(1)</script>",
    "{{ config }} {% raw %}",
    "line1\n\nline3",
]


def _form_data(text: str) -> dict:
    return {
        "id": "p",
        "fiscal_year": "2025",
        "name": text,
        "unit_name": "单位",
        "category": "其他运转类",
        "funding": {"total": "1", "fiscal": "1", "other": ""},
        "goal": text,
        "indicators": [{"level1": text, "level2": text, "name": text, "value": text}],
    }


UNIT = Form(
    LAYOUT,
    "unit",
    LAYOUT.models["unit"].model_validate(
        {
            "id": "u",
            "fiscal_year": "2025",
            "unit_name": "单位",
            "tasks": "任务",
            "budget": {
                k: {"total": "1" if k in ("total", "other_operating") else "0", "fiscal": "", "other": ""}
                for k in ("total", "personnel", "public_funds", "other_operating", "specific")
            },
            "indicators": [{"level1": "满意度指标", "level2": "满意度指标", "value": "≥90%"}],
        }
    ),
)


class _Cells(HTMLParser):
    """Collect the text of every td/th, with <br> as a newline, and every attribute seen."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[str] = []
        self.tags: list[tuple[str, list]] = []
        self.current: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        if tag in ("td", "th"):
            self.current = []
        elif tag == "br" and self.current is not None:
            self.current.append("\n")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.current is not None:
            self.cells.append("".join(self.current))
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.current.append(data)


def render_html(text: str) -> tuple[dict, _Cells, str]:
    form = Form(LAYOUT, "project", LAYOUT.models["project"].model_validate(_form_data(text)))
    ff = FormFile("content/2025/u/p.yml", "project", "2025", "u", "p")
    unit = UnitPage("u", UNIT.unit_name, ff, UNIT, b"")
    page = render_project(unit, ProjectPage(ff, form, b""), Settings())
    _, front, body = page.split("---\n", 2)
    out = markdown.markdown(body, extensions=["tables", "toc"])  # the extensions mkdocs.yml enables
    parser = _Cells()
    parser.feed(out)
    return yaml.safe_load(front), parser, out


def expected(text: str) -> str:
    return text.replace("\r", "").replace("\t", " ")


def check_literal(text: str) -> None:
    front, cells, out = render_html(text)
    assert html.unescape(front["title"]) == expected(text).replace("\n", "<br>") or "\n" in text
    want = expected(text)
    assert want in cells.cells, f"{text!r} not rendered literally; cells: {cells.cells[:6]}"
    assert cells.cells.count(want) >= 5  # name, goal, 一级, 二级, 三级/value/note
    for tag, attrs in cells.tags:
        assert (
            tag not in ("script", "img", "a", "iframe", "style")
            or tag == "a"
            and all(not v or not v.lower().startswith("javascript") for _, v in attrs)
        ), f"content created <{tag}>"
        assert not any(name.startswith("on") for name, _ in attrs), f"content created an on* attribute on <{tag}>"


def test_payloads_render_literally() -> None:
    for payload in PAYLOADS:
        check_literal(payload)


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85")
    | st.sampled_from(list("<>&\"'`*_[](){}|#\\!~-+.:;=\n 一二三≥%")),
    min_size=1,
    max_size=40,
).filter(lambda t: t.strip() != "")


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_any_text_renders_literally(text: str) -> None:
    check_literal(text.strip("\n") or "x")


def test_escape_text_keeps_markup_and_decimal() -> None:
    from markupsafe import Markup

    assert escape_text(Markup("<b>x</b>")) == "<b>x</b>"
    assert escape_text(Decimal("682.42")) == "682.42"
    assert escape_text(None) == ""
    assert escape_text("a\n<b>*") == "a<br>&#60;b&#62;&#42;"
