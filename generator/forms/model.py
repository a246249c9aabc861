"""The form model of a layout: pydantic classes built from the layout, and their JSON Schema.

Every content file is validated by the model of its layout and kind (unit or project). The model holds
the system fields every form has (id, fiscal_year, money_unit, source, acknowledge …) and one field per
printed field or table of the layout, under the layout's names, with the printed label as its title.
Unknown fields are errors; amounts are Decimal; nothing is typed implicitly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, create_model

from generator.forms.layout import (
    LAYOUT_NAME_PATTERN,
    FieldSpec,
    FormSpec,
    IndicatorColumn,
    IndicatorsPart,
    TablePart,
    fill,
)
from generator.forms.scalars import (
    Count,
    Decimals,
    Money,
    Number,
    OptionalText,
    RequiredMoney,
    RequiredText,
    Slug,
    Text,
    Year,
    cell_type,
)

if TYPE_CHECKING:
    from generator.forms.registry import Layout

#: Acknowledged warnings: problem code -> the editor's reason ("原表如此，照录").
Acknowledgements = dict[str, RequiredText]


class Strict(BaseModel):
    """Base of every form model: unknown fields are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=False)


class Source(Strict):
    """原始公开文件: where the published form comes from."""

    title: OptionalText = Field(None, title="原始公开文件标题")
    url: Optional[Annotated[str, Field(pattern=r"^https?://[^\s<>\"'`]+$", max_length=500)]] = Field(
        None, title="网址", description="原始公开文件网址（http/https）"
    )
    published: OptionalText = Field(None, title="公开日期", description="原始文件公开日期，如 2025-02-10")
    publisher: OptionalText = Field(None, title="发布单位", description="公开该文件的单位或网站")
    file: OptionalText = Field(None, title="文件名", description="原始文件名（如 附件3.pdf）")


_ACK: tuple[Any, Any] = (
    Acknowledgements,
    Field(default_factory=dict, title="已确认的警告", description="已确认的警告：代码 → 理由"),
)


def _field(spec: FieldSpec) -> tuple[Any, Any]:
    annotation = cell_type(spec.type, spec.required, spec.choices)
    info = Field(... if spec.required else None, title=spec.short or spec.title, description=spec.help or spec.title)
    return annotation, info


def _class_name(*parts: str) -> str:
    return "".join(p.replace("-", "_").title().replace("_", "") for p in parts)


def _register(model: type[BaseModel]) -> type[BaseModel]:
    """Make a model class built at run time findable by name, so its instances pickle across processes.

    Class names carry a digest of the layout (see `form_model`), so two different layouts never share one.
    """
    model.__module__ = __name__
    globals()[model.__name__] = model
    return model


def _table_model(prefix: str, table: TablePart, money_unit: str) -> tuple[Any, Any]:
    fields: dict[str, Any] = {}
    printed = fill(table.title, money_unit=money_unit)
    if table.columns:
        cells = {
            c.name: (
                cell_type(c.type, c.required),
                Field(... if c.required else None, title=c.short or c.title, description=c.title),
            )
            for c in table.columns
        }
        row_model = _register(create_model(_class_name(prefix, table.name, "row"), __base__=Strict, **cells))  # type: ignore[call-overload]
        row_model.__doc__ = f"{printed}的一行"
        for row in table.rows:
            annotation = row_model if row.required else Optional[row_model]
            fields[row.name] = (
                annotation,
                Field(... if row.required else None, title=row.short or row.title, description=row.title),
            )
        if table.items:
            item_model = _register(
                create_model(  # type: ignore[call-overload]
                    _class_name(prefix, table.name, "item"), __base__=Strict, acknowledge=_ACK, **cells
                )
            )
            item_model.__doc__ = f"{printed}的一条明细"
            if not table.rows:  # a plain list in the content file
                title = table.short or printed
                return list[item_model], Field([] if table.optional else ..., title=title, description=printed)  # type: ignore[valid-type]
            fields["items"] = (list[item_model], Field(default_factory=list, title="明细行"))  # type: ignore[valid-type]
    else:
        for row in table.rows:
            fields[row.name] = (
                RequiredMoney if row.required else Money,
                Field(... if row.required else None, title=row.short or row.title, description=row.title),
            )
    model = _register(create_model(_class_name(prefix, table.name), __base__=Strict, **fields))
    model.__doc__ = printed
    required = not table.optional and (any(r.required for r in table.rows) or not table.rows)
    return (model if required else Optional[model]), Field(
        ... if required else None, title=table.short or printed, description=printed
    )


def _indicator_cell(column: IndicatorColumn) -> tuple[Any, Any]:
    if column.role == "weight":
        annotation: Any = Number
    elif column.choices:
        annotation = Optional[Literal[tuple(column.choices)]]
    elif column.required:
        annotation = RequiredText
    elif column.role == "target" and not column.optional:
        annotation = Text  # the key must be there; a blank value is a warning (empty-value)
        return annotation, Field(title=column.short or column.title, description=column.title)
    else:
        annotation = OptionalText
    return annotation, Field(... if column.required else None, title=column.short or column.title, description=column.title)


def _indicators_model(prefix: str, part: IndicatorsPart) -> tuple[Any, Any]:
    cells = {c.name: _indicator_cell(c) for c in part.columns}
    names = tuple(c.name for c in part.columns)
    merge = Optional[list[Literal[names]]]  # type: ignore[valid-type]
    row = _register(
        create_model(  # type: ignore[call-overload]
            _class_name(prefix, part.name, "indicator"),
            __base__=Strict,
            **cells,
            merge=(
                merge,
                Field(None, title="横向合并", description="原表合并为一格的相邻列（如 [name, value]），文字写在第一列"),
            ),
            acknowledge=_ACK,
        )
    )
    row.__doc__ = f"{part.title}的一条指标"
    required = part.required
    return list[row], Field(... if required else [], title=part.short or part.title, description=part.title)  # type: ignore[valid-type]


def form_fields(layout: "Layout", kind: str) -> dict[str, tuple[Any, Any]]:
    """Return the model's fields, in the order content files write them."""
    spec = layout.form(kind)
    assert spec is not None
    prefix = f"{layout.name}-{layout.digest}-{kind}"
    system: dict[str, tuple[Any, Any]] = {
        "layout": (
            Optional[Annotated[str, Field(pattern=LAYOUT_NAME_PATTERN)]],
            Field(None, title="表样", description="本表所用表样的名称；不写则用本站默认表样"),
        ),
        "id": (Slug, Field(title="编号", description="编号：小写英文字母、数字和连字符，决定网址，定稿后不要修改")),
        "fiscal_year": (Year, Field(title="预算年度")),
        "title": (OptionalText, Field(None, title="原表标题", description="原表标题与表样不同时照录")),
    }
    if kind == "project":
        system["order"] = (Optional[Count], Field(None, title="序号", description="在单位项目列表中的序号（可选）"))
    parts: dict[str, tuple[Any, Any]] = {}
    first_fields = True
    for part in spec.parts:
        if part.fields is not None:
            for field in part.fields:
                if field.name == "fiscal_year":
                    continue
                if field.name == "category":
                    parts["category"] = _category(spec)
                    continue
                required = field.required or field.name in ("name", "unit_name")
                parts[field.name] = _field(field.model_copy(update={"required": required}))
            if first_fields:
                if spec.categories and "category" not in parts:
                    parts["category"] = _category(spec)
                parts.update(_money_settings(layout))
                first_fields = False
        elif part.table is not None:
            parts[part.table.name] = _table_model(prefix, part.table, layout.spec.money_unit)
        elif part.indicators is not None:
            parts[part.indicators.name] = _indicators_model(prefix, part.indicators)
    if spec.categories and "category" not in parts:
        parts["category"] = _category(spec)
    for key, value in _money_settings(layout).items():
        parts.setdefault(key, value)
    tail = {
        "source": (Optional[Source], Field(None, title="原始公开文件")),
        "acknowledge": _ACK,
    }
    return {**system, **parts, **tail}


def _category(spec: FormSpec) -> tuple[Any, Any]:
    names = tuple(c.name for c in spec.categories)
    return Literal[names], Field(title="项目类别", description="项目类别：" + "、".join(names))


def _money_settings(layout: "Layout") -> dict[str, tuple[Any, Any]]:
    return {
        "money_unit": (Literal["万元", "元"], Field(layout.spec.money_unit, title="金额单位")),
        "money_decimals": (Decimals, Field(2, title="金额小数位数", description="金额最多小数位数（默认 2）")),
    }


def form_model(layout: "Layout", kind: str) -> type[BaseModel]:
    """Build the pydantic model of `layout`'s unit or project form."""
    spec = layout.form(kind)
    assert spec is not None
    model = _register(
        create_model(  # type: ignore[call-overload]
            _class_name(layout.name, layout.digest, kind, "form"), __base__=Strict, **form_fields(layout, kind)
        )
    )
    model.__doc__ = spec.title
    return model


def json_schema(layout: "Layout", kind: str) -> dict[str, Any]:
    """Return the published JSON Schema (Draft 2020-12) of a layout's form, with the printed labels as titles."""
    spec = layout.form(kind)
    assert spec is not None
    schema = layout.models[kind].model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = spec.title
    schema["description"] = f"{layout.spec.title}：{spec.title}"
    for definition in (schema.get("$defs") or {}).values():
        if definition.get("description"):
            definition["title"] = definition["description"]
    return schema


def layout_schema() -> dict[str, Any]:
    """Return the JSON Schema of layout files."""
    from generator.forms.layout import LayoutFile

    schema = LayoutFile.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "表样（layout）"
    return schema


def inner_model(annotation: Any) -> Optional[type[BaseModel]]:
    """Return the model class inside a field's annotation (`Optional[Row]`, `list[Item]` -> Row, Item), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = inner_model(arg)
        if found is not None:
            return found
    return None
