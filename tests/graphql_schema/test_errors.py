"""No stack trace, SQL or internal message reaches a client."""

import pytest
from graphql import GraphQLError

from backend.errors import NotFound
from graphql_schema.errors import INTERNAL_MESSAGE, format_error
from tests.graphql_client import error_codes, gql


def test_an_unexpected_exception_is_masked() -> None:
    leaked = 'relation "secret_table" does not exist'
    error = GraphQLError("boom", original_error=RuntimeError(leaked), path=["me"])

    formatted = format_error(error)

    assert formatted["message"] == INTERNAL_MESSAGE
    assert formatted["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert leaked not in str(formatted)


def test_a_domain_error_keeps_its_code_and_details() -> None:
    error = GraphQLError("x", original_error=NotFound("No such case.", id="abc"))

    assert format_error(error)["extensions"] == {"code": "NOT_FOUND", "id": "abc"}


@pytest.mark.django_db
def test_an_unused_variable_is_a_validation_error_not_bad_input() -> None:
    body = gql("query($unused: Int) { __typename }", {"unused": 1})

    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
