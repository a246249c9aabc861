"""Pydantic validation errors -> problems at the line of the YAML key or value they concern."""

from __future__ import annotations

import difflib
from typing import Any, Iterator

from pydantic import BaseModel, ValidationError

from generator.forms.document import Document
from generator.problems import CODES, Problem

_WANT = {"dict_type": "映射（字段: 值）", "model_type": "映射（字段: 值）", "list_type": "列表（- 开头的各项）"}


def schema_problems(exc: ValidationError, doc: Document, model: type[BaseModel]) -> Iterator[Problem]:
    """Yield one problem per validation error, located in `doc`, with a documented code."""
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            key = loc[-1]
            allowed = allowed_fields(model, loc[:-1])
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"，是否应为“{close[0]}”？" if close else f"；允许的字段：{'、'.join(allowed)}"
            yield doc.problem(loc, "unknown-field", f"未知字段“{key}”{hint}", prefer_key=True)
        elif kind == "missing":
            label = field_label(model, loc)
            yield doc.problem(
                loc, "missing-field", f"缺少必填字段“{loc[-1]}”（{label}）" if label else f"缺少必填字段“{loc[-1]}”"
            )
        elif kind in CODES:
            yield doc.problem(loc, kind, err["msg"])
        elif kind == "string_too_short" or kind == "too_short":
            yield doc.problem(loc, "missing-field", "不能为空")
        elif kind in ("literal_error", "enum"):
            given = err.get("input")
            yield doc.problem(loc, "invalid-choice", f"“{given}”不是允许的取值；可选：{err['ctx']['expected']}")
        elif kind in (
            "dict_type",
            "list_type",
            "model_type",
            "model_attributes_type",
            "string_type",
            "bool_type",
            "bool_parsing",
        ):
            yield doc.problem(loc, "wrong-type", f"应为{_WANT.get(kind, '文本' if 'string' in kind else 'true 或 false')}")
        elif kind == "value_error":
            message = str(err.get("ctx", {}).get("error", err["msg"]))
            yield doc.problem(loc, "invalid-value", message)
        else:
            yield doc.problem(loc, "invalid-value", err["msg"])


def submodel(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """Return the model class found at `loc` below `model` (list indexes and dict keys skipped)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part) if isinstance(current, type) and issubclass(current, BaseModel) else None
        if info is None:
            return None
        current = _model_in(info.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def allowed_fields(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Return the field names allowed at `loc`."""
    sub = submodel(model, loc)
    if sub is None:
        return []
    return [name for name, info in sub.model_fields.items() if not info.exclude]


def field_label(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """Return the printed label (title) of the field at `loc`."""
    sub = submodel(model, loc[:-1])
    info = sub.model_fields.get(loc[-1]) if sub else None
    return (info.title or info.description or "") if info else ""
