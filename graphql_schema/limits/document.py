"""Size limits checked on the document text alone, before validation.

Validation of a document whose fragments spread each other repeatedly costs time in
proportion to the selections it expands to, which grows exponentially with the number of
fragments. The expansion is counted here with memoised fragment sizes, in time linear in
the document, so such a document is refused before validation looks at it.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)

from graphql_schema.limits.errors import DocumentTooLarge, QueryTooComplex

MAX_TOKENS = 5000
MAX_COMMENTS = 500
MAX_SOURCE_LENGTH = 200_000
MAX_EXPANDED_SELECTIONS = 5000
PARSED_DOCUMENTS_CACHED = 256


def _own_selections(selection_set: SelectionSetNode) -> tuple[int, Counter[str]]:
    """Fields in a selection set, nested ones included, and the fragments it spreads, with
    how often each is spread; spreads are not followed."""
    fields = 0
    spreads: Counter[str] = Counter()
    pending = [selection_set]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                spreads[selection.name.value] += 1
                continue
            if isinstance(selection, FieldNode):
                fields += 1
            if isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                pending.append(selection.selection_set)
    return fields, spreads


def _fragment_sizes(
    own: dict[str, tuple[int, Counter[str]]],
) -> dict[str, int]:
    """Each fragment's size with its spreads expanded, each fragment computed once.
    A spread of an unknown fragment, or one that closes a cycle, counts nothing: validation
    refuses both documents."""
    sizes: dict[str, int] = {}
    for root in own:
        if root in sizes:
            continue
        on_path = {root}
        stack = [(root, iter(own[root][1]))]
        while stack:
            name, children = stack[-1]
            child = next(children, None)
            if child is None:
                fields, spreads = own[name]
                sizes[name] = fields + sum(
                    count * sizes.get(spread, 0) for spread, count in spreads.items()
                )
                on_path.discard(name)
                stack.pop()
            elif child in own and child not in sizes and child not in on_path:
                on_path.add(child)
                stack.append((child, iter(own[child][1])))
    return sizes


def expanded_selections(document: DocumentNode) -> int:
    """The field selections that validating the document may visit: every operation and
    every fragment definition, with fragment spreads expanded."""
    definitions = [
        d
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    own = {
        d.name.value: _own_selections(d.selection_set)
        for d in definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    sizes = _fragment_sizes(own)
    total = 0
    for definition in definitions:
        fields, spreads = _own_selections(definition.selection_set)
        total += fields + sum(count * sizes.get(name, 0) for name, count in spreads.items())
    return total


@lru_cache(maxsize=PARSED_DOCUMENTS_CACHED)
def parse_within_limits(query: str) -> DocumentNode:
    """The parsed document, or DocumentTooLarge / QueryTooComplex.

    Cached by text; only a document within the limits is ever cached."""
    try:
        document = parse(
            query,
            max_lexical_tokens=MAX_TOKENS,
            max_comments=MAX_COMMENTS,
            max_source_length=MAX_SOURCE_LENGTH,
        )
    except GraphQLSyntaxError as error:
        # The parser's own resource limits (tokens, comments, length, nesting) all end so.
        if error.message.endswith("Parsing aborted."):
            raise DocumentTooLarge(
                f"The document is too large: at most {MAX_TOKENS} tokens and"
                f" {MAX_SOURCE_LENGTH} characters, nested within the parser's depth."
            ) from None
        raise
    expanded = expanded_selections(document)
    if expanded > MAX_EXPANDED_SELECTIONS:
        raise QueryTooComplex(
            f"The document expands to more than {MAX_EXPANDED_SELECTIONS} field selections"
            " once its fragments are spread; spread fragments less often."
        )
    return document
