"""A site whose layout extends the sample's: one more indicator column, header field and text section.

Shared by the tests that follow such an addition through every output (pages, schema, workbooks, data,
`new`, `diff`) without any code change.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_LAYOUT = ROOT / "generator" / "forms" / "layouts" / "sichuan-panzhihua-2025.yml"
SAMPLE_UNIT = ROOT / "content" / "2025" / "renhe-shehui-gongzuobu"
NAME = "extended-sample"
PROJECT = "cun-shequ-huanjie"
#: What the test layout adds, and the values the test form gives them.
ADDED = {
    "field": ("department", "主管部门", "中共攀枝花市仁和区委"),
    "section": ("basis", "立项依据", "《中华人民共和国村民委员会组织法》第十三条"),
    "column": ("explanation", "指标解释", "以实际参加换届的干部人数计"),
}


def extended_layout() -> str:
    """Return the sample layout's text with the three additions."""
    text = SAMPLE_LAYOUT.read_text(encoding="utf-8")
    name, title, _ = ADDED["field"]
    text = text.replace(
        "        - {name: unit_name, title: 预算单位, required: true}\n    - table:\n        name: funding",
        f"        - {{name: unit_name, title: 预算单位, required: true}}\n        - {{name: {name}, title: {title}}}\n    - table:\n        name: funding",
    )
    name, title, _ = ADDED["section"]
    text = text.replace(
        "        - {name: goal, title: 总体目标, type: longtext, required: true}\n",
        f"        - {{name: goal, title: 总体目标, type: longtext, required: true}}\n        - {{name: {name}, title: {title}, type: longtext, optional: true}}\n",
    )
    name, title, _ = ADDED["column"]
    text = text.replace(
        "          - {name: name, title: 三级指标, role: level3, required: true}\n          - {name: value, title: 指标值（包含数字及文字描述）, short: 指标值, role: target}\n",
        "          - {name: name, title: 三级指标, role: level3, required: true}\n          - {name: value, title: 指标值（包含数字及文字描述）, short: 指标值, role: target}\n"
        f"          - {{name: {name}, title: {title}, role: text, optional: true}}\n",
    )
    assert text.count(ADDED["field"][0]) == 1 and text.count(ADDED["section"][0]) == 1 and text.count(ADDED["column"][0]) == 1
    return text


def extended_project(text: str) -> str:
    """Return the sample project file's text with values for the three additions."""
    field, section, column = (ADDED[k] for k in ("field", "section", "column"))
    text = text.replace("category: 特定目标类\n", f"category: 特定目标类\n{field[0]}: {field[2]}\n")
    text = text.replace("\n# 绩效指标", f"{section[0]}: {section[2]}\n\n# 绩效指标")
    text = text.replace("    value: 980人\n", f"    value: 980人\n    {column[0]}: {column[2]}\n")
    return text


def write_extended_site(root: Path) -> Path:
    """Write a site at `root` (content/, layouts/, disclosure.yml) that uses the extended layout; return content/."""
    (root / "layouts").mkdir(parents=True, exist_ok=True)
    (root / "layouts" / f"{NAME}.yml").write_text(extended_layout(), encoding="utf-8")
    (root / "disclosure.yml").write_text(f"layout: {NAME}\n", encoding="utf-8")
    unit = root / "content" / "2025" / SAMPLE_UNIT.name
    shutil.copytree(SAMPLE_UNIT, unit)
    project = unit / f"{PROJECT}.yml"
    project.write_text(extended_project(project.read_text(encoding="utf-8")), encoding="utf-8")
    return root / "content"
