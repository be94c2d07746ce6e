"""Command line for administrators who keep their form definitions in their own repository.

    python -m formengine check [--lookups FILE] [--published FILE]... FILE...
    python -m formengine schema
    python -m formengine import-xlsform FORM.xlsx [--record-type case] [--key KEY] [--output FILE]

`check` reads each FILE (JSON: one form, or a list of forms), validates all of them as the
form set of one record type, and prints every error as `FILE: PATH: CODE: message`, PATH
being a JSON path inside that file. Exit status: 0 when all are valid, 1 otherwise, 2 on
a usage error.

`--lookups FILE` is a JSON object of lookup name -> list of options ({id, label}); each
lookup is checked as the server's `save_lookup` checks it (errors at `$.name[i]...` in that
file), and a field naming another lookup is an UNKNOWN_LOOKUP error and option ids in
conditions and defaults of lookup fields are checked. Without it lookups live elsewhere
(the server), so lookup references are not checked and a note says so on stderr.

`--published FILE` (repeatable, oldest first) holds versions already published; the check
then also rejects a field whose type differs from a published one (FIELD_TYPE_CHANGED).

`schema` prints the JSON Schema of the definition language.

`import-xlsform` converts an XLSForm workbook into a form definition (see xlsform.py) and
writes it as JSON to FILE or stdout. Every row that cannot be converted is printed as
`FORM.xlsx: survey row 14: message` and nothing is written (exit 1); what was left out on
purpose is printed to stderr as a warning. The key is `--key`, else the settings' form_id,
else the file's name.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from formengine.compatibility import check_compatibility
from formengine.definition_validation import validate_form_set
from formengine.errors import DefinitionCode as Code
from formengine.json_schema import render_json_schema
from formengine.lookups import validate_lookups
from formengine.parse import parse_lookups
from formengine.xlsform import convert_xlsform


@dataclass(frozen=True, slots=True)
class _Origin:
    file: str
    path: str  # the form's JSON path inside its file: "$" or "$[2]"


@dataclass
class _Loaded:
    docs: list[Any]
    origins: list[_Origin]
    lines: list[str]  # errors found while reading


def _read_json(name: str) -> tuple[Any, str | None]:
    try:
        text = Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, f"{name}: $: {Code.UNREADABLE_FILE}: {error}"
    try:
        return json.loads(text), None
    except json.JSONDecodeError as error:
        return None, f"{name}: $: {Code.INVALID_JSON}: {error}"


def _load(files: Sequence[str]) -> _Loaded:
    loaded = _Loaded([], [], [])
    for name in files:
        content, problem = _read_json(name)
        if problem is not None:
            loaded.lines.append(problem)
        elif isinstance(content, list):
            for index, doc in enumerate(content):
                loaded.docs.append(doc)
                loaded.origins.append(_Origin(name, f"$[{index}]"))
        else:
            loaded.docs.append(content)
            loaded.origins.append(_Origin(name, "$"))
    return loaded


_FORM_INDEX = re.compile(r"^\$\[(\d+)\]")


def _locate(path: str, origins: Sequence[_Origin]) -> str:
    """`$[3].fields[0]` in the set -> `forms.json: $[1].fields[0]` in the file."""
    match = _FORM_INDEX.match(path)
    if match is None:
        return f"?: {path}"
    origin = origins[int(match.group(1))]
    return f"{origin.file}: {origin.path}{path[match.end() :]}"


def check(
    files: Sequence[str],
    lookups_file: str | None,
    published_files: Sequence[str],
    out: TextIO,
    err: TextIO,
) -> int:
    candidate = _load(files)
    published = _load(published_files)
    lines = candidate.lines + published.lines
    lookups: Mapping[str, Any] | None = None
    if lookups_file is not None:
        raw, problem = _read_json(lookups_file)
        if problem is not None:
            lines.append(problem)
        elif not isinstance(raw, Mapping):
            lines.append(
                f"{lookups_file}: $: {Code.INVALID_DOCUMENT}: lookups are a JSON object of "
                "lookup name -> list of options"
            )
        else:
            lines += [
                f"{lookups_file}: {e.path}: {e.code}: {e.message}" for e in validate_lookups(raw)
            ]
            lookups = parse_lookups(raw)
    else:
        print("note: lookups not checked (pass --lookups FILE to check them)", file=err)
    errors = validate_form_set(candidate.docs, lookups)
    if published.docs:
        errors += check_compatibility(candidate.docs, published.docs)
    lines += [f"{_locate(e.path, candidate.origins)}: {e.code}: {e.message}" for e in errors]
    for line in lines:
        print(line, file=out)
    if lines:
        print(f"{len(lines)} error(s)", file=err)
    return 1 if lines else 0


def import_xlsform(
    file: str, record_type: str, key: str | None, output: str | None, out: TextIO, err: TextIO
) -> int:
    try:
        content = Path(file).read_bytes()
    except OSError as error:
        print(f"{file}: {Code.UNREADABLE_FILE}: {error}", file=out)
        return 1
    conversion = convert_xlsform(
        content, record_type=record_type, key=key, fallback_key=Path(file).stem
    )
    for warning in conversion.warnings:
        print(f"warning: {file}: {warning}", file=err)
    for problem in conversion.errors:
        print(f"{file}: {problem}", file=out)
    if conversion.document is None:
        print(f"{len(conversion.errors)} error(s); nothing written", file=err)
        return 1
    text = json.dumps(conversion.document, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        out.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m formengine", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check_parser = commands.add_parser("check", help="validate form definition files")
    check_parser.add_argument("files", nargs="+", metavar="FILE")
    check_parser.add_argument("--lookups", metavar="FILE")
    check_parser.add_argument("--published", metavar="FILE", action="append", default=[])
    commands.add_parser("schema", help="print the JSON Schema of form definitions")
    xlsform_parser = commands.add_parser(
        "import-xlsform", help="convert an XLSForm workbook into a form definition"
    )
    xlsform_parser.add_argument("file", metavar="FORM.xlsx")
    xlsform_parser.add_argument("--record-type", default="case")
    xlsform_parser.add_argument("--key")
    xlsform_parser.add_argument("--output", metavar="FILE")
    args = parser.parse_args(argv)
    if args.command == "import-xlsform":
        return import_xlsform(
            args.file, args.record_type, args.key, args.output, sys.stdout, sys.stderr
        )
    if args.command == "schema":
        sys.stdout.write(render_json_schema())
        return 0
    return check(args.files, args.lookups, args.published, sys.stdout, sys.stderr)
