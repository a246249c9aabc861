"""Year and home pages from the forms' summaries: a rebuild brings back whole only the forms it renders.

A form checked in a worker process costs more to send back (unpickling a validated model) than to
check. A build whose render cache holds a unit's pages needs of its forms only what the year and home
pages print: names, category, order, totals and layout (`validate.FormSummary`). `SummaryForm` offers
those under the names `Form` has, so the same templates render them; the forms of units rendered again
come back whole (`RenderCache.forms_to_keep`), and `complete_forms` checks again in full the forms of a
unit whose pages turn out to be stale after all.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

from generator.forms.discover import FormFile
from generator.forms.registry import Registry
from generator.forms.validate import CheckResult, FormSummary, check_files


class SummaryForm:
    """What the year and home pages read of a form, from its summary (the form itself stayed in a worker)."""

    def __init__(self, ff: FormFile, registry: Registry):
        assert ff.summary is not None
        self.summary: FormSummary = ff.summary
        self.kind = ff.kind
        self.layout = registry.layouts[ff.summary.layout]

    id = property(lambda self: self.summary.id)
    unit_name = property(lambda self: self.summary.unit_name)
    money_unit = property(lambda self: self.summary.money_unit)
    name = property(lambda self: self.summary.name)
    category = property(lambda self: self.summary.category)
    order = property(lambda self: self.summary.order)
    total = property(lambda self: self.summary.total)

    def totals(self) -> dict[str, Optional[Decimal]]:
        return dict(self.summary.totals)


def form_of(ff: FormFile, registry: Optional[Registry]):  # noqa: ANN201 - a Form or a SummaryForm
    """Return the checked form of `ff`, or its summary form when only the summary came back."""
    if ff.form is not None or ff.summary is None or registry is None:
        return ff.form
    return SummaryForm(ff, registry)


class ContentChanged(Exception):
    """A form file changed between the check and the build's second look at it."""

    def __init__(self, path: str):
        super().__init__(path)
        self.path = path


def complete_forms(result: CheckResult, stale: list, jobs: Optional[int] = None) -> int:  # noqa: ANN001 - render.UnitPage
    """Check again, keeping them whole, the forms of the `stale` units that came back as summaries only.

    Returns how many forms were checked again. Raises ContentChanged when a file's bytes are no longer
    those the check validated (an editor saved it during the build): nothing unchecked is published.
    """
    wanted = [
        ff
        for unit in stale
        for ff in ([unit.ff] if unit.ff is not None else []) + [p.ff for p in unit.projects]
        if ff.form is None
    ]
    if not wanted:
        return 0
    again = check_files([FormFile(ff.path, ff.kind, ff.year, ff.unit_id, ff.stem) for ff in wanted], jobs, True, result.registry)
    for old, new in zip(wanted, again):
        if new.form is None or new.digest != old.digest:
            raise ContentChanged(old.path)
        old.form, old.source = new.form, new.source
    return len(wanted)
