"""XLSForm workbooks (survey, choices, settings sheets; pyxform's conventions) as a form definition.

    conversion = convert_xlsform(xlsx_bytes, record_type="case", key=None)
    conversion.document   # our form-definition JSON, or None when any row failed
    conversion.errors     # XlsFormIssue(sheet, row, message): "survey row 14: ..."
    conversion.warnings   # what was left out on purpose (metadata, presentation columns)

pyxform reads the sheets (its workbook reader and expression lexer); the rows are converted
here, each problem reported with its sheet and row number. Nothing is half-converted: any
error and there is no document. Then the document is validated like any other form, and
each validation error is reported at the row it came from.

Mapping: text (appearance multiline: textarea), integer, decimal, date, dateTime, select_one
LIST / select_multiple LIST (inline options from the choices sheet), note (separator),
image / audio / file (photo / audio / document), calculate (a sum of questions: calculated),
begin/end group (flattened; a labelled group becomes a separator, its `relevant` and
`read_only` join its questions'), begin/end repeat (subform; at most two deep).
`label::Language (xx)` and `hint::Language (xx)` columns give per-locale labels and help;
`read_only` yes gives read_only, `default` a default in the field's stored form (today() and
now(): the tokens `today`, `now`). Metadata questions (start, end, deviceid, ...) are skipped
with a warning: records keep their own. Columns that would change what data is collected or
accepted and have no equivalent (choice_filter, repeat_count, trigger, an expression in
required or read_only, a computed default) are errors; presentation columns
(constraint_message, media, guidance_hint, other appearances) and a decimal's limit on its
digits are warnings.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import ChainMap
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyxform import aliases, constants
from pyxform.errors import PyXFormError
from pyxform.xls2json import RE_SELECT
from pyxform.xls2json_backends import xlsx_to_dict

from formengine.definition_validation import validate_form_set
from formengine.model import LOCALE_PATTERN, MAX_SUBFORM_DEPTH, FieldType, is_valid_name
from formengine.xlsform_expressions import (
    Target,
    Untranslatable,
    constraint_properties,
    default_value,
    relevant_condition,
    sum_calculation,
)

# An .xlsx is a zip: bound what it may unpack to before any sheet is read.
MAX_UNPACKED_BYTES = 50_000_000

SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"

_SIMPLE_TYPES = {
    "text": FieldType.TEXT,
    "string": FieldType.TEXT,
    "integer": FieldType.INTEGER,
    "int": FieldType.INTEGER,
    "decimal": FieldType.DECIMAL,
    "date": FieldType.DATE,
    "datetime": FieldType.DATETIME,
    "note": FieldType.SEPARATOR,
    "image": FieldType.PHOTO,
    "photo": FieldType.PHOTO,
    "audio": FieldType.AUDIO,
    "file": FieldType.DOCUMENT,
    "calculate": FieldType.CALCULATED,
}
_METADATA_TYPES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "imei",
        "username",
        "email",
        "phonenumber",
        "simserial",
        "subscriberid",
        "audit",
        "start-geopoint",
        "background-geopoint",
    }
)
_YES = frozenset(k for k, v in aliases.yes_no.items() if v)
_NO = frozenset(k for k, v in aliases.yes_no.items() if not v)
_TRUE = frozenset({"yes", "true", "true()"})
_FALSE = frozenset({"no", "false", "false()"})
_READ_ONLY_COLUMNS = ("read_only", "readonly")
_HANDLED_COLUMNS = frozenset(
    {
        "type",
        "name",
        "label",
        "hint",
        "required",
        "relevant",
        "constraint",
        "calculation",
        "default",
        *_READ_ONLY_COLUMNS,
    }
)
# Columns whose content changes what is collected or accepted: not importable, so an error.
_REFUSED_COLUMNS = {
    "choice_filter": "choice filters (cascading selects)",
    "repeat_count": "fixed repeat counts",
    "jr:count": "fixed repeat counts",
    "trigger": "triggers",
}
_LANGUAGE = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[^()]+)\)\s*$")
_LOCALE = re.compile(LOCALE_PATTERN)


@dataclass(frozen=True, slots=True)
class XlsFormIssue:
    sheet: str
    row: int | None  # the sheet's row number as a spreadsheet shows it; None: the workbook
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet} row {self.row}" if self.row is not None else self.sheet
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class XlsFormConversion:
    document: dict[str, Any] | None
    errors: tuple[XlsFormIssue, ...] = ()
    warnings: tuple[XlsFormIssue, ...] = ()


@dataclass
class _Frame:
    kind: str  # "form" | "group" | "repeat"
    row: int
    fields: list[dict[str, Any]]
    relevant: list[tuple[int, str]]  # (row, expression) of enclosing groups
    depth: int  # repeats around it
    read_only: bool = False  # an enclosing group or repeat is read-only


@dataclass
class _Pending:
    """An expression converted once every question's type is known."""

    definition: dict[str, Any]
    row: int
    scope: Mapping[str, Target]
    relevant: list[tuple[int, str]] = field(default_factory=list)
    calculation: str | None = None


def _unpacked_size(content: bytes) -> int | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return None


def read_workbook(content: bytes) -> dict[str, Any]:
    """The sheets as pyxform reads them; raises ValueError for what is not an XLSX workbook."""
    size = _unpacked_size(content)
    if size is None:
        raise ValueError("the file is not an .xlsx workbook")
    if size > MAX_UNPACKED_BYTES:
        raise ValueError(f"the workbook unpacks to more than {MAX_UNPACKED_BYTES} bytes")
    try:
        return xlsx_to_dict(io.BytesIO(content))
    except PyXFormError as error:
        raise ValueError(str(error)) from error


def convert_xlsform(
    content: bytes, *, record_type: str = "case", key: str | None = None, fallback_key: str = ""
) -> XlsFormConversion:
    """Convert an .xlsx XLSForm. `key` overrides the settings' form_id; `fallback_key` (say,
    the file's name) is used when neither is given."""
    try:
        workbook = read_workbook(content)
    except ValueError as error:
        return XlsFormConversion(None, (XlsFormIssue("workbook", None, str(error)),))
    return _Converter(workbook, record_type, key, fallback_key).run()


def _columns(header: Sequence[Mapping[str, Any]] | None) -> list[str]:
    return list(header[0]) if header else []


def _cell(cells: Mapping[str, str], *columns: str) -> str:
    """The first non-empty cell among `columns` (header spelling and case aside)."""
    for column, value in cells.items():
        if column.strip().lower() in columns and value.strip():
            return value.strip()
    return ""


def _rows(workbook: Mapping[str, Any], sheet: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number as the spreadsheet shows it, cells); the header is row 1."""
    for index, cells in enumerate(workbook.get(sheet) or ()):
        if cells:
            yield index + 2, cells


class _Converter:
    def __init__(
        self, workbook: Mapping[str, Any], record_type: str, key: str | None, fallback: str
    ) -> None:
        self.workbook = workbook
        self.record_type = record_type
        self.key = key
        self.fallback = fallback
        self.errors: list[XlsFormIssue] = []
        self.warnings: list[XlsFormIssue] = []
        self.sources: dict[int, tuple[str, int]] = {}  # id(json object) -> (sheet, row)
        self.settings: dict[str, str] = next((cells for _, cells in _rows(workbook, SETTINGS)), {})
        self.default_locale = "en"
        self.locales: dict[tuple[str, str], str] = {}  # (sheet, column) -> locale
        self.pending: list[_Pending] = []

    def error(self, sheet: str, row: int | None, message: str) -> None:
        self.errors.append(XlsFormIssue(sheet, row, message))

    def warn(self, sheet: str, row: int | None, message: str) -> None:
        self.warnings.append(XlsFormIssue(sheet, row, message))

    # -- languages ------------------------------------------------------------------------

    def _locale_of(self, language: str) -> str | None:
        language = language.strip()
        match = _LANGUAGE.match(language)
        code = match.group("code").strip() if match else language
        return code if _LOCALE.fullmatch(code) else None

    def _read_languages(self) -> None:
        declared = self.settings.get("default_language")
        if declared:
            locale = self._locale_of(declared)
            if locale is None:
                self.error(
                    SETTINGS,
                    2,
                    f"default_language {declared!r} names no language code: "
                    "write it as 'English (en)'",
                )
            else:
                self.default_locale = locale
        for sheet in (SURVEY, CHOICES):
            for column in _columns(self.workbook.get(f"{sheet}_header")):
                base, _, language = column.partition("::")
                base = base.strip().lower()
                if base not in ("label", "hint"):
                    continue
                if not language:
                    self.locales[(sheet, column)] = self.default_locale
                    continue
                locale = self._locale_of(language)
                if locale is None:
                    self.error(
                        sheet,
                        1,
                        f"column {column!r} names no language code: write it as "
                        f"'{base}::{language.strip()} (xx)' with the language's code",
                    )
                else:
                    self.locales[(sheet, column)] = locale

    def _localized(self, sheet: str, cells: Mapping[str, str], base: str) -> dict[str, str]:
        text: dict[str, str] = {}
        for column, value in cells.items():
            locale = self.locales.get((sheet, column))
            if locale is not None and column.partition("::")[0].strip().lower() == base:
                text[locale] = value
        return text

    # -- choices --------------------------------------------------------------------------

    def _read_choices(self) -> dict[str, list[dict[str, Any]]]:
        lists: dict[str, list[dict[str, Any]]] = {}
        for row, raw in _rows(self.workbook, CHOICES):
            cells = {k.strip(): v for k, v in raw.items()}
            list_name = cells.get("list_name") or cells.get("list name")
            name = cells.get("name") or cells.get("value")
            if not list_name or not name:
                self.error(CHOICES, row, "a choice needs a list_name and a name")
                continue
            option: dict[str, Any] = {"id": name, "label": self._localized(CHOICES, cells, "label")}
            if not option["label"]:
                option["label"] = {self.default_locale: name}
            self.sources[id(option)] = (CHOICES, row)
            lists.setdefault(list_name, []).append(option)
        return lists

    # -- survey ---------------------------------------------------------------------------

    def _check_columns(self) -> None:
        for column in _columns(self.workbook.get(f"{SURVEY}_header")):
            base = column.partition("::")[0].strip().lower()
            if base in _HANDLED_COLUMNS or base in _REFUSED_COLUMNS or base == "appearance":
                continue
            self.warn(SURVEY, 1, f"column {column!r} is not imported")

    def _refuse_columns(self, row: int, cells: Mapping[str, str]) -> bool:
        refused = False
        for column, value in cells.items():
            what = _REFUSED_COLUMNS.get(column.strip().lower())
            if what is None:
                continue
            self.error(SURVEY, row, f"{column} {value!r}: our forms have no {what}")
            refused = True
        return refused

    def _read_type(self, row: int, raw_type: str, choices: Mapping[str, Any]) -> dict[str, Any]:
        """The field skeleton of a question row: {"type", ...}; {} after reporting an error."""
        spelled = " ".join(raw_type.split())
        select = RE_SELECT.match(spelled)
        if select is not None:
            command = aliases.select.get(select.group("select_command"))
            if (
                select.group("specify_other")
                or command
                not in (
                    constants.SELECT_ONE,
                    constants.SELECT_ALL_THAT_APPLY,
                )
                or select.group("select_command") in aliases.select_from_file
            ):
                self.error(SURVEY, row, f"type {raw_type!r} has no equivalent")
                return {}
            list_name = select.group("list_name")
            if list_name not in choices:
                self.error(SURVEY, row, f"type {raw_type!r}: no choice list {list_name!r}")
                return {}
            kind = FieldType.SELECT if command == constants.SELECT_ONE else FieldType.MULTI_SELECT
            options = [dict(o) for o in choices[list_name]]
            for copy, original in zip(options, choices[list_name], strict=True):
                self.sources[id(copy)] = self.sources[id(original)]
            return {"type": kind, "options": options}
        ours = _SIMPLE_TYPES.get(spelled.lower())
        if ours is None:
            self.error(SURVEY, row, f"type {raw_type!r} has no equivalent")
            return {}
        return {"type": ours}

    def _read_survey(self, choices: Mapping[str, Any]) -> list[dict[str, Any]]:
        fields: list[dict[str, Any]] = []
        stack = [_Frame("form", 1, fields, [], 0)]
        scopes: list[MutableMapping[str, Target]] = [{}]
        for row, raw in _rows(self.workbook, SURVEY):
            cells = {k.strip(): v for k, v in raw.items()}
            raw_type = cells.get("type", "")
            spelled = " ".join(raw_type.replace("_", " ").lower().split())
            frame = stack[-1]
            if not raw_type:
                self.error(SURVEY, row, "the row has no type")
                continue
            if spelled.startswith("end "):
                kind = aliases.control.get(spelled[4:])
                if kind is None or frame.kind != (
                    "repeat" if kind == constants.REPEAT else "group"
                ):
                    self.error(SURVEY, row, f"{raw_type!r} closes no open {spelled[4:]}")
                    continue
                stack.pop()
                if frame.kind == "repeat":
                    scopes.pop()
                continue
            if spelled.lower() in _METADATA_TYPES:
                self.warn(SURVEY, row, f"metadata {raw_type!r} is skipped: records keep their own")
                continue
            name = cells.get("name", "")
            if not is_valid_name(name):
                hint = re.sub(r"[^a-z0-9]+", "_", re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower())
                suggestion = f", e.g. {hint.strip('_')!r}" if hint.strip("_") else ""
                self.error(
                    SURVEY,
                    row,
                    f"name {name!r} is not snake_case (a-z, 0-9 and _, at most 63)" + suggestion,
                )
                name = ""
            refused = self._refuse_columns(row, cells)
            read_only = self._read_only(row, cells)
            if read_only is None:
                refused = True
            read_only = bool(read_only) or frame.read_only
            label = self._localized(SURVEY, cells, "label")
            relevant = cells.get("relevant") or cells.get("relevance")
            inherited = list(frame.relevant)
            if spelled.startswith("begin "):
                kind = aliases.control.get(spelled[6:])
                if kind not in (constants.GROUP, constants.REPEAT):
                    self.error(SURVEY, row, f"type {raw_type!r} has no equivalent")
                    continue
                if _cell(cells, "default"):
                    self.error(
                        SURVEY, row, f"a {spelled[6:]} has no default: give its questions one"
                    )
                if kind == constants.GROUP:
                    own = [*inherited, (row, relevant)] if relevant else inherited
                    stack.append(_Frame("group", row, frame.fields, own, frame.depth, read_only))
                    if label and name:
                        self._add(
                            frame,
                            row,
                            {"name": name, "type": FieldType.SEPARATOR, "label": label},
                            scopes[-1],
                            own,
                        )
                    continue
                subform: dict[str, Any] = {"name": name, "type": FieldType.SUBFORM}
                if label:
                    subform["label"] = label
                if read_only:
                    subform["read_only"] = True
                subform["fields"] = []
                if frame.depth >= MAX_SUBFORM_DEPTH:
                    self.error(
                        SURVEY,
                        row,
                        "a repeat inside a repeat inside a repeat has no "
                        "equivalent (subforms nest two deep)",
                    )
                if name:
                    self._add(
                        frame,
                        row,
                        subform,
                        scopes[-1],
                        [*inherited, (row, relevant)] if relevant else inherited,
                    )
                stack.append(
                    _Frame("repeat", row, subform["fields"], [], frame.depth + 1, read_only)
                )
                scopes.append(ChainMap({}, scopes[-1]))
                continue
            question = self._read_type(row, raw_type, choices)
            if not question or not name or refused:
                continue
            definition: dict[str, Any] = {"name": name, "type": question["type"]}
            if label:
                definition["label"] = label
            help_text = self._localized(SURVEY, cells, "hint")
            if help_text:
                definition["help"] = help_text
            definition.update(question)
            self._apply_details(row, cells, definition, read_only)
            calculation = (
                cells.get("calculation") if question["type"] == FieldType.CALCULATED else None
            )
            self._add(
                frame,
                row,
                definition,
                scopes[-1],
                [*inherited, (row, relevant)] if relevant else inherited,
                calculation,
            )
        for frame in stack[1:]:
            self.error(SURVEY, frame.row, f"'begin {frame.kind}' has no 'end {frame.kind}'")
        return fields

    def _read_only(self, row: int, cells: Mapping[str, str]) -> bool | None:
        """The read_only column: True, False, or None after reporting an expression."""
        value = _cell(cells, *_READ_ONLY_COLUMNS)
        if value.lower() in _TRUE:
            return True
        if not value or value.lower() in _FALSE:
            return False
        self.error(
            SURVEY,
            row,
            f"read_only {value!r}: a question is read-only always or never here",
        )
        return None

    def _apply_details(
        self, row: int, cells: Mapping[str, str], definition: dict[str, Any], read_only: bool
    ) -> None:
        kind = definition["type"]
        appearance = (cells.get("appearance") or "").split()
        if "multiline" in appearance and kind == FieldType.TEXT:
            definition["type"] = kind = FieldType.TEXTAREA
            appearance.remove("multiline")
        if appearance:
            self.warn(SURVEY, row, f"appearance {' '.join(appearance)!r} is not imported")
        required = cells.get("required", "")
        if required in _YES and kind not in (FieldType.SEPARATOR, FieldType.CALCULATED):
            definition["required"] = True
        elif required and required not in _YES | _NO:
            self.error(
                SURVEY,
                row,
                f"required {required!r}: a question is required always or "
                "never here (while it is visible)",
            )
        # notes and calculations are read-only by nature
        if read_only and kind not in (FieldType.SEPARATOR, FieldType.CALCULATED):
            definition["read_only"] = True
        default = _cell(cells, "default")
        if default:
            try:
                definition["default"] = default_value(default, kind)
            except Untranslatable as why:
                self.error(SURVEY, row, f"default {default!r} has no equivalent: {why}")
        constraint = cells.get("constraint")
        if constraint:
            try:
                converted = constraint_properties(constraint, kind)
            except Untranslatable as why:
                self.error(SURVEY, row, f"constraint {constraint!r} has no equivalent: {why}")
            else:
                definition.update(converted.properties)
                if converted.ignored_digit_limit:
                    self.warn(
                        SURVEY,
                        row,
                        f"constraint {constraint!r}: the limit on digits is not imported "
                        "(the question stays a decimal)",
                    )
        calculation = cells.get("calculation")
        if kind == FieldType.CALCULATED and not calculation:
            self.error(SURVEY, row, "a calculate row needs a calculation")
        elif calculation and kind != FieldType.CALCULATED:
            self.error(SURVEY, row, "our forms have no calculations on questions")

    def _add(
        self,
        frame: _Frame,
        row: int,
        definition: dict[str, Any],
        scope: MutableMapping[str, Target],
        relevant: list[tuple[int, str]],
        calculation: str | None = None,
    ) -> None:
        frame.fields.append(definition)
        self.sources[id(definition)] = (SURVEY, row)
        options = frozenset(o["id"] for o in definition.get("options", ()))
        scope[definition["name"]] = Target(definition["type"], options)
        if relevant or calculation:
            self.pending.append(_Pending(definition, row, scope, relevant, calculation))

    def _resolve_expressions(self) -> None:
        converted: dict[int, dict[str, Any] | None] = {}
        for pending in self.pending:
            conditions = []
            for row, expression in pending.relevant:
                if row not in converted:
                    try:
                        converted[row] = relevant_condition(expression, pending.scope)
                    except Untranslatable as why:
                        converted[row] = None
                        self.error(SURVEY, row, f"relevant {expression!r} has no equivalent: {why}")
                if converted[row] is not None:
                    conditions.append(converted[row])
            if len(conditions) == 1:
                pending.definition["visible_if"] = conditions[0]
            elif conditions:
                pending.definition["visible_if"] = {"and": conditions}
            if pending.calculation:
                try:
                    pending.definition["calculate"] = sum_calculation(
                        pending.calculation, pending.scope
                    )
                except Untranslatable as why:
                    self.error(
                        SURVEY,
                        pending.row,
                        f"calculation {pending.calculation!r} has no equivalent: {why}",
                    )

    # -- the form -------------------------------------------------------------------------

    def _form_key(self) -> str:
        for candidate, where in (
            (self.key, None),
            (self.settings.get("form_id"), "form_id"),
            (self.fallback, None),
        ):
            if not candidate:
                continue
            if where and not is_valid_name(candidate):
                self.error(SETTINGS, 2, f"form_id {candidate!r} is not snake_case: give a key")
            return candidate
        self.error(SETTINGS, None, "no form_id in the settings sheet: give a key")
        return ""

    def run(self) -> XlsFormConversion:
        if not self.workbook.get(SURVEY):
            self.error(SURVEY, None, "the workbook has no survey sheet")
            return XlsFormConversion(None, tuple(self.errors))
        self._read_languages()
        self._check_columns()
        choices = self._read_choices()
        fields = self._read_survey(choices)
        self._resolve_expressions()
        key = self._form_key()
        title = self.settings.get("form_title") or key.replace("_", " ").capitalize()
        document = {
            "key": key,
            "record_type": self.record_type,
            "label": {self.default_locale: title},
            "fields": fields,
        }
        if not self.errors:
            self._validate(document)
        if self.errors:
            return XlsFormConversion(None, tuple(self.errors), tuple(self.warnings))
        return XlsFormConversion(document, (), tuple(self.warnings))

    def _validate(self, document: dict[str, Any]) -> None:
        """Validation errors of the converted form, each reported at the row it came from."""
        places: dict[str, tuple[str, int]] = {}

        def walk(fields: Sequence[dict[str, Any]], path: str) -> None:
            for index, definition in enumerate(fields):
                here = f"{path}.fields[{index}]"
                places[here] = self.sources[id(definition)]
                for number, option in enumerate(definition.get("options", ())):
                    places[f"{here}.options[{number}]"] = self.sources[id(option)]
                walk(definition.get("fields", ()), here)

        walk(document["fields"], "$[0]")
        for problem in validate_form_set([document], None):
            prefix = max(
                (
                    p
                    for p in places
                    if problem.path == p or problem.path.startswith((p + ".", p + "["))
                ),
                key=len,
                default=None,
            )
            sheet, row = places[prefix] if prefix else (SETTINGS, None)
            self.error(sheet, row, f"{problem.message} ({problem.code})")
