"""Hostile strings put where a generated document has a string literal, sent as variables.

Schemathesis writes argument values inline, and a GraphQL string literal cannot carry a lone
surrogate (the parser refuses it); as JSON variables it can. Values a client may send that
have broken the server before: NUL bytes, lone surrogates, non-ASCII digits, numbers beyond
bigint, crafted cursors, long texts."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Callable
from typing import Any

import graphql

HOSTILE_STRINGS = (
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "²",
    "١٢٣",
    "9" * 30,
    "-1",
    "x" * 5000,
    base64.b64encode(json.dumps(["x", "y"]).encode()).decode(),
    base64.b64encode(json.dumps([None, 1]).encode()).decode(),
    "1." + "9" * 40,
)


class _LiftStrings(graphql.Visitor):
    def __init__(self, type_info: graphql.TypeInfo, choose: Callable[[], str | None]) -> None:
        super().__init__()
        self.type_info = type_info
        self.choose = choose
        self.definitions: list[graphql.VariableDefinitionNode] = []
        self.variables: dict[str, Any] = {}

    def enter_string_value(self, node: graphql.StringValueNode, *_: Any) -> Any:
        input_type = self.type_info.get_input_type()
        if input_type is None:
            return None
        value = self.choose()
        if value is None:
            return None
        name = f"hostile{len(self.variables)}"
        variable = graphql.VariableNode(name=graphql.NameNode(value=name))
        self.definitions.append(
            graphql.VariableDefinitionNode(
                variable=variable, type=graphql.parse_type(str(input_type))
            )
        )
        self.variables[name] = value
        return variable


def with_hostile_strings(
    schema: graphql.GraphQLSchema, query: str, choose: Callable[[], str | None]
) -> dict[str, Any]:
    """The request body for `query` with each string literal that `choose` answers a value
    for replaced by a variable holding that value."""
    document = graphql.parse(query)
    type_info = graphql.TypeInfo(schema)
    lift = _LiftStrings(type_info, choose)
    edited = graphql.visit(document, graphql.TypeInfoVisitor(type_info, lift))
    if not lift.variables:
        return {"query": query}
    operation = edited.definitions[0]
    assert isinstance(operation, graphql.OperationDefinitionNode)
    lifted = dataclasses.replace(
        operation,
        variable_definitions=(*(operation.variable_definitions or ()), *lift.definitions),
    )
    document = dataclasses.replace(edited, definitions=(lifted, *edited.definitions[1:]))
    return {"query": graphql.print_ast(document), "variables": lift.variables}
