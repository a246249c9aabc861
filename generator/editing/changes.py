"""What `disclosure diff` reports, as data: the renderers (`report`) only format it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional


@dataclass(frozen=True)
class FormRef:
    """One form on one side: where it is and what it is."""

    path: str
    kind: str  # "unit" | "project"
    year: str
    unit: str  # the unit folder
    id: str
    title: str = ""  # project name / unit name ("" when the file did not load)
    category: str = ""
    total: Optional[Decimal] = None
    money_unit: str = "万元"
    layout: str = ""

    @property
    def kind_label(self) -> str:
        return "单位整体表" if self.kind == "unit" else "项目表"


@dataclass(frozen=True)
class AmountChange:
    """A money cell that differs: `old → new` and the difference with its sign."""

    field: str  # dotted data path, e.g. budget.specific.total
    label: str  # the layout's short labels: 预算资金 特定目标类项目经费 合计
    old: Optional[Decimal]
    new: Optional[Decimal]
    money_unit: str = "万元"

    @property
    def delta(self) -> Decimal:
        return (self.new or Decimal(0)) - (self.old or Decimal(0))


@dataclass(frozen=True)
class FieldChange:
    """Any other value that differs; long texts carry a word-level diff in `pieces`."""

    field: str
    label: str
    old: Optional[str]
    new: Optional[str]
    #: (op, text): "=" unchanged context, "-" deleted, "+" inserted, "…" elided. Empty for short values.
    pieces: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class IndicatorChange:
    """An indicator row added, removed or changed, matched within its table by (一级, 二级, 三级, ordinal)."""

    change: str  # "added" | "removed" | "changed"
    level1: str
    level2: str
    name: str  # 三级指标 ("" where the table has none)
    old_value: Optional[str] = None
    new_value: Optional[str] = None
    #: Other cells of the row that changed (指标性质, 权重, 备注 …), under their printed labels.
    fields: tuple[FieldChange, ...] = ()
    #: The indicator table's label where the form has several ("" otherwise).
    table: str = ""

    @property
    def label(self) -> str:
        return self.name or self.level2


@dataclass(frozen=True)
class TextChange:
    """Changes to a file that are not form fields: the modeline, comments, key order, formatting."""

    messages: tuple[str, ...]
    #: Lines of a line diff: ("-" | "+", line number on that side, text); ("…", 0, "") where cut.
    excerpt: tuple[tuple[str, int, str], ...] = ()


@dataclass
class FormChange:
    """A form present on both sides (maybe renamed) whose file differs."""

    old: FormRef
    new: FormRef
    rename_reason: str = ""  # why a removed and an added file were taken for the same form
    amounts: list[AmountChange] = field(default_factory=list)
    indicators: list[IndicatorChange] = field(default_factory=list)
    fields: list[FieldChange] = field(default_factory=list)
    text: Optional[TextChange] = None

    @property
    def renamed(self) -> bool:
        return bool(self.rename_reason)

    @property
    def empty(self) -> bool:
        """Whether no form content changed (the file may still differ: see `text`)."""
        return not (self.amounts or self.indicators or self.fields)


@dataclass(frozen=True)
class Broken:
    """A file that did not load on one side: its changes cannot be shown."""

    side: str  # "old" | "new"
    path: str
    message: str


@dataclass(frozen=True)
class CellEffect:
    """One unit cell of a cross_form rule: what the unit form declares and what its project forms add up to."""

    unit_cell: str  # budget.specific.total
    label: str  # 预算资金 特定目标类项目经费 合计
    category: Optional[str]  # the rule's project category (None: every project)
    project_cell: str  # funding.total
    declared_old: Optional[Decimal]
    declared_new: Optional[Decimal]
    sum_old: Decimal
    sum_new: Decimal
    count_old: int
    count_new: int
    #: False when a project form of the unit did not load on that side (the sum is then incomplete).
    complete_old: bool = True
    complete_new: bool = True
    #: False when the unit form itself did not load on the new side.
    unit_ok_new: bool = True

    @property
    def difference_new(self) -> Optional[Decimal]:
        """Declared minus the sum of the project forms, on the new side (0 = they agree; a blank cell counts as 0)."""
        if not self.unit_ok_new:
            return None
        return (self.declared_new or Decimal(0)) - self.sum_new

    @property
    def projects(self) -> str:
        return f"{self.category}项目" if self.category else "项目"


@dataclass
class UnitEffect:
    """What the change does to one unit's form: its total and each cross_form cell whose values moved."""

    year: str
    unit: str
    unit_name: str
    path: str  # the unit form's path (new side, else old)
    money_unit: str
    total_old: Optional[Decimal]
    total_new: Optional[Decimal]
    total_label: str = "年度资金总额"
    cells: list[CellEffect] = field(default_factory=list)


@dataclass(frozen=True)
class SiteChange:
    """A layout file or the site settings changed: every form that uses them may print differently."""

    change: str  # "added" | "removed" | "changed"
    path: str


@dataclass
class Diff:
    """Everything `disclosure diff` reports."""

    base: str  # label of the old side
    head: str  # label of the new side
    added: list[FormRef] = field(default_factory=list)
    removed: list[FormRef] = field(default_factory=list)
    changed: list[FormChange] = field(default_factory=list)
    broken: list[Broken] = field(default_factory=list)
    effects: list[UnitEffect] = field(default_factory=list)
    site: list[SiteChange] = field(default_factory=list)

    @property
    def renamed(self) -> list[FormChange]:
        return [c for c in self.changed if c.renamed]

    @property
    def modified(self) -> list[FormChange]:
        """Forms whose content or file text changed."""
        return [c for c in self.changed if not c.empty or c.text is not None]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.broken or self.site)

    def amount_changes(self) -> list[tuple[FormChange, AmountChange]]:
        return [(c, a) for c in self.changed for a in c.amounts]
