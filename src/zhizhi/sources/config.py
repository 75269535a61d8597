"""Sources as files: `sources/NAME.yaml` in the workspace says how one department's export becomes records.

```yaml
name: dengji                      # the file's own name, without .yaml
title: 登记注册系统导出
department: DJZC                  # the owning department's code
record_type: entity               # see docs/model.md
reader: csv                       # optional: by the file's suffix when left out
encoding: gbk                     # optional: detected when left out
default_prefecture: "450200"      # addresses without a city are read as in this prefecture
fields:
  uscc: 统一社会信用代码            # field: the column holding it
  name: {column: 企业名称}
  industry_code: {column: 行业代码, code_list: gbt4754-2011}
  status: {column: 登记状态, transforms: [{map: {在业: 存续}}]}
  kind: {value: 食品经营许可证}      # the same value for every row
```
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from zhizhi.config.every import EveryProblem, Problem
from zhizhi.config.files import NAME_PATTERN, NamedFiles, parse_yaml
from zhizhi.records import RecordType, record_type, record_types
from zhizhi.sources.transforms import check_transform

SOURCES_FOLDER = "sources"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FieldMapping(_Strict):
    """Where one field's value comes from, and how it is prepared before the field's own cleaning."""

    column: str | None = Field(default=None, description="the column (header) holding the value")
    value: str | None = Field(default=None, description="a constant for every row, instead of a column")
    code_list: str | None = Field(
        default=None, description="code fields: the list the source's codes are in (default: the field's own list)"
    )
    transforms: list[dict[str, Any]] = Field(default_factory=list, description="steps applied in order")
    confidence: float | None = Field(
        default=None, ge=0, le=1, description="written by `sources suggest`: how sure the suggestion is"
    )

    @model_validator(mode="after")
    def _one_origin(self) -> FieldMapping:
        if (self.column is None) == (self.value is None):
            raise ValueError("give exactly one of `column` or `value`")
        for step in self.transforms:
            check_transform(step)
        return self


class SourceConfig(_Strict, EveryProblem):
    """The whole of `sources/NAME.yaml`."""

    name: str = Field(pattern=NAME_PATTERN, description="the source's name, the same as its file name")
    title: str | None = Field(default=None, max_length=100, description="shown in the UI")
    department: str = Field(min_length=1, description="code of the department that owns the data")
    record_type: str = Field(description="the record type rows become (see docs/model.md)")
    reader: str | None = Field(default=None, description="reader name; by file suffix when empty")
    encoding: str | None = Field(default=None, description="text files: force an encoding (gbk, utf-8 ...)")
    sheets: list[str] = Field(default_factory=list, description="Excel: the sheets to read (default all)")
    delimiter: str | None = Field(default=None, max_length=1, description="CSV: the field separator")
    settings: dict[str, Any] = Field(
        default_factory=dict, description="reader settings (sql, http readers), checked against the reader's model"
    )
    default_prefecture: str | None = Field(
        default=None, pattern=r"^\d{6}$", description="division code of the prefecture for addresses without one"
    )
    default_area_code: str | None = Field(
        default=None, pattern=r"^0\d{2,3}$", description="area code for landlines written without one"
    )
    fields: dict[str, FieldMapping] = Field(description="record field -> where its value comes from")
    legal_basis: str | None = Field(
        default=None,
        max_length=500,
        description="the law or consent under which the source may hold biometric data (face images, fingerprints); "
        "without it a file with such columns is refused",
    )

    # Set by ingest's column check against one file's header, never read from the file: field -> the columns as
    # read that a header repeats under the name the field maps (电话, 电话_2), to be compared row by row.
    _repeated: dict[str, tuple[str, ...]] = PrivateAttr(default_factory=dict)
    _read_from: tuple[str, str | None] = PrivateAttr(default=("", None))  # the file and sheet, for messages

    @field_validator("fields", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: ({"column": v} if isinstance(v, str) else v) for k, v in value.items()}
        return value

    @classmethod
    def problems_of(cls, raw: dict[str, Any]) -> list[Problem]:
        """The fields against the record type's, and the reader's settings: every problem, whatever else is wrong."""
        return _field_problems(raw) + _settings_problems(raw)

    @property
    def kind(self) -> RecordType:
        return record_type(self.record_type)

    @property
    def repeated(self) -> dict[str, tuple[str, ...]]:
        """Field -> the copies of its column in the file being read (the first first), when it maps a repeated name."""
        return dict(self._repeated)

    @property
    def read_from(self) -> tuple[str, str | None]:
        """The file (and sheet) whose repeated columns `repeated` names."""
        return self._read_from

    def with_repeated(self, repeated: dict[str, tuple[str, ...]], label: str, sheet: str | None) -> SourceConfig:
        """A copy of the source that compares the copies of these fields' columns in file `label` as it maps them."""
        copy = self.model_copy()
        copy._repeated, copy._read_from = dict(repeated), (label, sheet)
        return copy

    def columns(self) -> dict[str, str]:
        """Field -> column, for the fields read from a column."""
        return {name: m.column for name, m in self.fields.items() if m.column is not None}


FILES = NamedFiles(
    SOURCES_FOLDER, SourceConfig, "source", "数据源", "Write one with `zhizhi sources suggest FILE --name NAME`."
)


def _field_problems(raw: dict[str, Any]) -> list[Problem]:
    """Fields the record type does not have, required ones not mapped, a code list on a field that holds no codes."""
    known, name = record_types(), raw.get("record_type")
    if not isinstance(name, str):
        return []
    if name not in known:
        return [Problem(("record_type",), f"record_type `{name}` is unknown; known: {', '.join(sorted(known))}", name)]
    kind, fields = known[name], raw.get("fields")
    fields = fields if isinstance(fields, dict) else {}
    problems = _own_problems(kind, raw.get("name"))
    if unknown := [str(field) for field in fields if field not in kind.field_names]:
        guesses = [difflib.get_close_matches(field, kind.field_names, n=1) for field in unknown]
        named = ", ".join(f"`{n}`" + (f" (did you mean `{g[0]}`?)" if g else "")
                          for n, g in zip(unknown, guesses, strict=True))  # fmt: skip
        problems.append(
            Problem((), f"field(s) {named} are not fields of `{name}`; its fields: {', '.join(kind.field_names)}")
        )
    if missing := [f.name for f in kind.fields if f.required and f.name not in fields]:
        problems.append(Problem((), f"required field(s) {', '.join(missing)} of `{name}` are not mapped"))
    for field, mapping in fields.items():
        if isinstance(mapping, dict) and mapping.get("code_list") and field in kind.field_names:
            if kind.field(field).kind != "code":
                problems.append(Problem((), f"field `{field}` is not a code field: remove its code_list"))
    return problems


def _own_problems(kind: RecordType, name: Any) -> list[Problem]:
    """A type zhizhi writes itself, in a source file not of its own: no department's export maps to it."""
    if kind.own_sources is None or (isinstance(name, str) and name.startswith(kind.own_sources)):
        return []
    others = ", ".join(sorted(n for n, t in record_types().items() if not t.own))
    return [
        Problem(
            ("record_type",),
            f"record_type `{kind.name}` ({kind.label_zh}) is written by zhizhi itself, in its own sources "
            f"`{kind.own_sources}...`: no department's export maps to it; choose one of {others} "
            f"（`{kind.name}` 由智治自行写入，数据源文件不能使用；请改用 {others}）",
            kind.name,
        )
    ]


def _settings_problems(raw: dict[str, Any]) -> list[Problem]:
    """The reader's settings against the reader's own model (each problem naming its key)."""
    from zhizhi.ingest.read.registry import settings_problems  # the readers load only for a source that has some

    reader, settings = raw.get("reader"), raw.get("settings")
    if not isinstance(reader, str | None) or not isinstance(settings, dict | None) or not (reader or settings):
        return []
    return [Problem((), problem) for problem in settings_problems(reader, settings or {})]


def sources_folder(root: Path) -> Path:
    return root / SOURCES_FOLDER


def source_path(root: Path, name: str) -> Path:
    return FILES.path(root, name)


def parse_source(text: str, origin: str) -> SourceConfig:
    """A source from YAML text; `origin` names the file in errors."""
    return parse_yaml(text, origin, SourceConfig)


def load_source(root: Path, name: str) -> SourceConfig:
    """The source `name` of the workspace at `root`."""
    return FILES.load(root, name)


def own_source(root: Path, name: str, *, note: str, **body: Any) -> SourceConfig:
    """A source zhizhi writes for records it makes itself (the desk's answers, pushed tickets, report runs), as
    JSON lines with the fields named as the record type's: its file written on first use, with `note` on top, and
    kept as a steward may have changed it (a new title) afterwards."""
    path = FILES.path(root, name)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.safe_dump({"name": name, **body, "reader": "jsonl"}, allow_unicode=True, sort_keys=False)
        path.write_text(f"# {note}\n" + text, encoding="utf-8")
    return load_source(root, name)


def list_source_names(root: Path) -> list[str]:
    return FILES.names(root)


def dump_source(source: SourceConfig) -> str:
    """The YAML text of a source, fields in the record type's order, shorthand where nothing else is set."""
    data = source.model_dump(exclude_defaults=True, exclude={"fields"})
    fields: dict[str, Any] = {}
    for name in source.kind.field_names:
        mapping = source.fields.get(name)
        if mapping is None:
            continue
        entry = mapping.model_dump(exclude_defaults=True)
        fields[name] = entry["column"] if set(entry) == {"column"} else entry
    data["fields"] = fields
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
