"""Refuse text that PostgreSQL or JSON cannot carry before anything runs: INVALID_TEXT.

A NUL character cannot be stored in a PostgreSQL text or JSONB value, and a lone surrogate
(a JSON body with "\\ud800") cannot be encoded as UTF-8 at all, by the database driver or by
the JSON encoder of the answer. Every string a client sends is checked once, here: the
document itself, the operation name, every variable at any depth (keys included), and every
string literal in the document's arguments and variable defaults. The error names the
string's path as the client sent it: `input.services.0.serviceProviderName` (for a variable,
its name comes first; for a literal, the argument's name).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLSyntaxError
from graphql.language import (
    DocumentNode,
    ListValueNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
)
from strawberry.extensions import SchemaExtension

from backend.errors import InvalidText

# The parser cache hands out the same document object for the same text: check it once.
MAX_REMEMBERED_DOCUMENTS = 256
_clean_documents: OrderedDict[int, DocumentNode] = OrderedDict()
_lock = threading.Lock()

UNSAFE = re.compile("[\x00\ud800-\udfff]")
# graphql-core refuses an escaped lone surrogate in a string literal as a syntax error.
SURROGATE_ESCAPE = re.compile(r"Invalid Unicode escape sequence: '\\u\{?0*[dD][89a-fA-F]")


def _refuse(path: str) -> InvalidText:
    return InvalidText(
        f"{path} holds a NUL character or an unpaired surrogate, which text may not contain.",
        field=path,
    )


def _check_value(value: Any, path: str) -> None:
    if isinstance(value, str):
        if UNSAFE.search(value):
            raise _refuse(path)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and UNSAFE.search(key):
                raise _refuse(path)
            _check_value(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_value(item, f"{path}.{index}")


def _check_literal(node: ValueNode, path: str) -> None:
    if isinstance(node, StringValueNode):
        if UNSAFE.search(node.value):
            raise _refuse(path)
    elif isinstance(node, ObjectValueNode):
        for field in node.fields:
            _check_literal(field.value, f"{path}.{field.name.value}")
    elif isinstance(node, ListValueNode):
        for index, item in enumerate(node.values):
            _check_literal(item, f"{path}.{index}")


def _check_arguments(node: Any) -> None:
    for argument in getattr(node, "arguments", None) or ():
        _check_literal(argument.value, argument.name.value)
    for directive in getattr(node, "directives", None) or ():
        _check_arguments(directive)


def _check_selections(node: Any) -> None:
    _check_arguments(node)
    selection_set = getattr(node, "selection_set", None)
    for selection in selection_set.selections if selection_set else ():
        _check_selections(selection)


def check_document_text(document: DocumentNode) -> None:
    """INVALID_TEXT for a string literal of an argument or a variable default."""
    for definition in document.definitions:
        for variable in getattr(definition, "variable_definitions", None) or ():
            if variable.default_value is not None:
                _check_literal(variable.default_value, variable.variable.name.value)
        _check_selections(definition)


class InputTextCheck(SchemaExtension):
    """INVALID_TEXT for any string input holding a NUL or a lone surrogate."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        # Before parsing: the parser's errors quote the document, the executor's the values.
        if context.query and UNSAFE.search(context.query):
            raise _refuse("query")
        if context.operation_name and UNSAFE.search(context.operation_name):
            raise _refuse("operationName")
        variables = context.variables
        if isinstance(variables, dict):
            for name, value in variables.items():
                if UNSAFE.search(name):
                    raise _refuse("variables")
                _check_value(value, name)
        try:
            yield
        except GraphQLSyntaxError as error:
            if SURROGATE_ESCAPE.search(error.message):
                raise InvalidText(
                    "A string in the document holds an unpaired surrogate.", field="query"
                ) from error
            raise

    def on_validate(self) -> Iterator[None]:
        document = self.execution_context.graphql_document
        if document is not None and _clean_documents.get(id(document)) is not document:
            check_document_text(document)
            with _lock:
                _clean_documents[id(document)] = document
                while len(_clean_documents) > MAX_REMEMBERED_DOCUMENTS:
                    _clean_documents.popitem(last=False)
        yield
