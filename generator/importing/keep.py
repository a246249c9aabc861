"""What an editor added to a content file that the published document cannot give back, kept on re-import.

Importing a form again (a corrected file from the unit) must not lose the editor's work: the `source` entries
the document does not print (the page URL, publication date, publisher), the acknowledged warnings
(`acknowledge`, at the top and on each indicator row whose cells are unchanged) and the project's `order` when
the document does not give one. Everything else comes from the document. YAML comments are not kept (the
file is written in the house style): `--dry-run` shows them in the diff.
"""

from __future__ import annotations

from typing import Any

ACK = "acknowledge"
SOURCE = "source"
ORDER = "order"


def _same_row(old: dict[str, Any], new: dict[str, Any]) -> bool:
    keys = (set(old) | set(new)) - {ACK}
    return all(str(old.get(k) or "") == str(new.get(k) or "") for k in keys)


def keep(new: dict[str, Any], old: Any) -> list[str]:
    """Copy into `new` what only the existing file `old` has; return what was kept, in words."""
    if not isinstance(old, dict):
        return []
    kept: list[str] = []
    old_source = old.get(SOURCE)
    if isinstance(old_source, dict):
        source = new.setdefault(SOURCE, {})
        added = [k for k, v in old_source.items() if v and k not in source]
        for key in added:
            source[key] = old_source[key]
        if added:
            kept.append("来源的 " + "、".join(added))
    if ACK in old and ACK not in new:
        new[ACK] = old[ACK]
        kept.append("表单的确认（acknowledge）")
    if ORDER in old and ORDER not in new:
        new[ORDER] = old[ORDER]
        kept.append("项目序号（order）")
    rows = 0
    for key, value in old.items():
        mine = new.get(key)
        if not (isinstance(value, list) and isinstance(mine, list)):
            continue
        for before, after in zip(value, mine):
            if isinstance(before, dict) and isinstance(after, dict) and ACK in before and _same_row(before, after):
                after[ACK] = before[ACK]
                rows += 1
    if rows:
        kept.append(f"{rows} 行指标的确认（acknowledge）")
    return kept
