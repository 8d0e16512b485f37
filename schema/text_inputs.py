"""NUL (U+0000) in any string or id of a GraphQL request is refused before validation, with BAD_USER_INPUT.

graphql-core does not let the built-in String and ID scalars be redefined, so the check is one schema extension
instead: before the document is validated it looks at the variables and at the document's string literals (only
when the text holds an escape: a literal NUL can only be written as one). It runs for queries, mutations,
subscriptions and `_entities` representations alike; hub/inputs.py says why NUL cannot be stored.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import DocumentNode, GraphQLError, StringValueNode, Visitor, visit
from graphql.language.visitor import BREAK
from strawberry.extensions import SchemaExtension

from hub.errors import ErrorCode
from hub.inputs import NUL, NUL_MESSAGE, contains_nul


class _NulFinder(Visitor):
    found = False

    def enter_string_value(self, node: StringValueNode, *_args: object) -> object:
        if NUL in node.value:
            self.found = True
            return BREAK
        return None


def literal_has_nul(document: DocumentNode) -> bool:
    finder = _NulFinder()
    visit(document, finder)
    return finder.found


class RefuseNul(SchemaExtension):
    """Placed after the validation cache (which sets the validation result before this runs)."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        document = context.graphql_document
        in_literal = document is not None and (query is None or "\\u" in query) and literal_has_nul(document)
        if in_literal or contains_nul(context.variables):
            error = GraphQLError(NUL_MESSAGE, extensions={"code": ErrorCode.BAD_USER_INPUT.value})
            context.pre_execution_errors = [*(context.pre_execution_errors or []), error]
        yield
