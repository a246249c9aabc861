"""The standard indicator taxonomy (一级 → 二级), with the names real forms use for the same levels."""

from __future__ import annotations

_OUTPUT = ("数量指标", "质量指标", "时效指标", "成本指标")
_EFFECT = ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标")
_SATISFACTION = ("服务对象满意度指标", "满意度指标")

#: 一级 → allowed 二级. 项目完成/项目效益 are how several provinces' templates name 产出/效益.
PROJECT_TAXONOMY: dict[str, tuple[str, ...]] = {
    "产出指标": _OUTPUT,
    "项目完成": _OUTPUT,
    "效益指标": _EFFECT,
    "项目效益": _EFFECT,
    "满意度指标": _SATISFACTION,
}

#: Whole-unit forms also describe their basic and project funds with output-type indicators.
UNIT_TAXONOMY: dict[str, tuple[str, ...]] = {
    **PROJECT_TAXONOMY,
    "基本经费": _OUTPUT,
    "项目经费": _OUTPUT,
    "履职效能": _OUTPUT + _EFFECT,
    "管理效率": _OUTPUT,
}


def taxonomy_problem(level1: str, level2: str, unit_form: bool) -> str | None:
    """Return a Chinese message when (一级, 二级) is outside the standard taxonomy, else None."""
    table = UNIT_TAXONOMY if unit_form else PROJECT_TAXONOMY
    allowed = table.get(level1)
    if allowed is None:
        return f"一级指标“{level1}”不在标准指标体系中（标准：{'、'.join(table)}）"
    if level2 not in allowed:
        owners = [name for name, children in table.items() if level2 in children]
        hint = f"；“{level2}”通常属于一级指标“{owners[0]}”" if owners else ""
        return f"二级指标“{level2}”不属于一级指标“{level1}”（应为：{'、'.join(allowed)}）{hint}"
    return None
