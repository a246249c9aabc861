"""Write synthetic but realistic forms (SYNTHETIC: never put them in content/) for benchmarks.

Each unit gets projects of every category that has project forms; amounts are consistent to the fen,
indicators number 15-40 per project, texts are Chinese. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import random
from decimal import Decimal
from pathlib import Path

WORDS = (
    "社区",
    "治理",
    "服务",
    "群众",
    "基层",
    "建设",
    "保障",
    "培训",
    "志愿",
    "组织",
    "党建",
    "覆盖",
    "提升",
    "完善",
    "机制",
    "工作",
    "资金",
    "绩效",
    "考核",
    "满意度",
    "项目",
    "实施",
    "管理",
    "规范",
    "质量",
    "安全",
    "民生",
    "改革",
)
LEVELS = [
    ("项目完成", "数量指标"),
    ("项目完成", "质量指标"),
    ("项目完成", "时效指标"),
    ("项目完成", "成本指标"),
    ("项目效益", "社会效益指标"),
    ("项目效益", "可持续影响指标"),
    ("满意度指标", "满意度指标"),
]
VALUES = ("≥90%", "100%", "536人", "2025年底前", "≥95%", "3—5天", "≤5%", "12个", "基本形成并不断完善优化")


def sentence(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(WORDS) for _ in range(n)) + "。"


def money(rng: random.Random) -> Decimal:
    return Decimal(rng.randint(100, 5_000_000)) / 100


def indicators(rng: random.Random, count: int, with_name: bool) -> str:
    rows = []
    picked = sorted(rng.choices(range(len(LEVELS)), k=count))
    for index, level in enumerate(picked):
        l1, l2 = LEVELS[level]
        rows.append(f"  - level1: {l1}\n    level2: {l2}\n")
        if with_name:
            rows.append(f"    name: {rng.choice(WORDS)}{rng.choice(WORDS)}指标{index + 1}\n")
        rows.append(f"    value: '{rng.choice(VALUES)}'\n")
    return "".join(rows)


def write_unit(root: Path, year: int, index: int, projects: int, rng: random.Random) -> int:
    unit_id = f"synthetic-unit-{index:05d}"
    folder = root / str(year) / unit_id
    folder.mkdir(parents=True, exist_ok=True)
    name = f"（合成数据）第{index}号预算单位"
    sums = {"其他运转类": Decimal(0), "特定目标类": Decimal(0)}
    for p in range(projects):
        category = "特定目标类" if p % 4 == 3 else "其他运转类"
        amount = money(rng)
        sums[category] += amount
        pid = f"u{index:05d}-p{p:03d}"
        (folder / f"{pid}.yml").write_text(
            f"# SYNTHETIC benchmark form\nid: {pid}\nfiscal_year: {year}\norder: {p + 1}\n"
            f"name: （合成）{sentence(rng, 4)[:-1]}项目\nunit_name: {name}\ncategory: {category}\n"
            f"funding:\n  total: {amount}\n  fiscal: {amount}\n  other:\n"
            f"goal: {sentence(rng, 40)}\nindicators:\n{indicators(rng, rng.randint(15, 40), True)}",
            encoding="utf-8",
        )
    personnel, public = money(rng), money(rng)
    total = personnel + public + sums["其他运转类"] + sums["特定目标类"]
    (folder / "unit.yml").write_text(
        f"# SYNTHETIC benchmark form\nid: {unit_id}\nfiscal_year: {year}\nunit_name: {name}\nbudget:\n"
        f"  total: {{total: {total}, fiscal: {total}, other: }}\n"
        f"  personnel: {{total: {personnel}, fiscal: {personnel}, other: }}\n"
        f"  public_funds: {{total: {public}, fiscal: {public}, other: }}\n"
        f"  other_operating: {{total: {sums['其他运转类']}, fiscal: {sums['其他运转类']}, other: }}\n"
        f"  specific: {{total: {sums['特定目标类']}, fiscal: {sums['特定目标类']}, other: }}\n"
        f"tasks: {sentence(rng, 60)}\nindicators:\n{indicators(rng, 11, False).replace('项目完成', '基本经费')}",
        encoding="utf-8",
    )
    return projects + 1


def write_corpus(root: Path, forms: int, year: int = 2025, projects_per_unit: int = 9, seed: int = 1) -> int:
    """Write about `forms` forms under root/<year>/...; return the number written."""
    rng = random.Random(seed)
    settings = Path(root).parent / "disclosure.yml"
    if not settings.exists():  # the site's default layout: the forms are written in the sample's template
        settings.write_text("layout: sichuan-panzhihua-2025\n", encoding="utf-8")
    written, index = 0, 0
    while written < forms:
        projects = min(projects_per_unit, max(forms - written - 1, 0))
        written += write_unit(root, year, index, projects, rng)
        index += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", type=Path)
    parser.add_argument("--forms", type=int, default=1000)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    print(write_corpus(args.output, args.forms, args.year), "forms written to", args.output)


if __name__ == "__main__":
    main()
