"""The root fields an operation asks for, read before the document is validated.

Which schema validates a document depends on who is calling; some answers (a stale token, an
anonymous caller asking for records, sign-in mixed with tenant work) are decided from the
root fields alone. The document is parsed within the document limits (and the parse is
cached, so execution does not parse it again); it is never validated here: a document that
does not parse, is over the limits, or names no single operation yields None and is left
to the normal path to report.
"""

from __future__ import annotations

from dataclasses import dataclass

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from graphql_schema.limits.document import parse_within_limits

# Operations that take no token: a client whose token went stale must still reach them.
SIGN_IN_FIELDS = frozenset({"login", "loginWithOidc", "refreshToken"})
# What a TOTP-enrolment-only session may do (frontend_contract/README.md, sign-in security).
ENROLMENT_FIELDS = SIGN_IN_FIELDS | {"beginTotpEnrollment", "confirmTotpEnrollment", "logout"}
TYPENAME = "__typename"
# The tenant's directory, for pickers: an anonymous caller asking for it is refused 401.
DIRECTORY_FIELDS = frozenset({"agencies", "userDirectory", "locations"})


@dataclass(frozen=True)
class RootSelection:
    operation: str  # "query", "mutation" or "subscription"
    fields: frozenset[str]

    def only(self, allowed: frozenset[str]) -> bool:
        return self.fields - {TYPENAME} <= allowed

    def mixes_sign_in(self) -> bool:
        """A sign-in next to other work: its tenant would not be the caller's tenant."""
        signs_in = bool(self.fields & SIGN_IN_FIELDS)
        return signs_in and not self.only(SIGN_IN_FIELDS)


def root_selection(query: str, operation_name: str | None) -> RootSelection | None:
    try:
        document = parse_within_limits(query)
    except GraphQLError:  # not GraphQL, or over the limits: the normal path answers
        return None
    operation = _operation(document, operation_name)
    if operation is None:
        return None
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    fields: set[str] = set()
    _collect(operation.selection_set, fragments, fields, set())
    return RootSelection(operation.operation.value, frozenset(fields))


def _operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        return operations[0] if len(operations) == 1 else None
    named = [o for o in operations if o.name is not None and o.name.value == operation_name]
    return named[0] if len(named) == 1 else None


def _collect(
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    fields: set[str],
    spread: set[str],
) -> None:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            fields.add(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            _collect(selection.selection_set, fragments, fields, spread)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in spread or name not in fragments:
                continue  # cycles and unknown fragments are the validator's to report
            spread.add(name)
            _collect(fragments[name].selection_set, fragments, fields, spread)


def root_fields_of(schema: strawberry.Schema) -> dict[str, frozenset[str]]:
    """Operation type -> the root field names the schema answers, introspection included."""
    graphql_schema = schema._schema
    names: dict[str, frozenset[str]] = {}
    for operation, root in (
        ("query", graphql_schema.query_type),
        ("mutation", graphql_schema.mutation_type),
        ("subscription", graphql_schema.subscription_type),
    ):
        own = frozenset(root.fields) if root is not None else frozenset()
        introspection = {"__schema", "__type"} if operation == "query" else set()
        names[operation] = own | introspection
    return names
