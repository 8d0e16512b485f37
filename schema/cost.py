"""The query cost limit: an estimate of how many objects an operation may fetch, refused above a ceiling.

`query_cost(max_cost, list_size)` is a validation rule (it runs with depth, aliases and directives, before anything
executes, and its verdict is cached with theirs per document). Each operation is costed on its own:

- a field whose type is an object (or a list of objects) costs 1, times its list size; scalars and enums cost
  nothing (the token limit bounds how many of them a document can name);
- a list's size is its `first`, `last` or `limit` argument when the document gives it as a number, the size the
  server would clamp a variable to (`MAX_PAGE`) when it is a variable, the argument's schema default when it is
  left out, and `list_size` for a list with no such argument (e.g. a family's members);
- a size argument on a field that is not itself a list (a Relay connection) sizes the first lists below it (its
  `edges`, `nodes`);
- a list inside a list multiplies: `families(first: 100) { edges { node { members { … } } } }` is 100 × size.

Over the ceiling the operation is refused with QUERY_TOO_COMPLEX and `extensions.cost` / `maxCost`. The rule
never looks at values other than the size arguments, and never names anything of the schema in its message.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLOutputType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_list_type,
    is_object_type,
)

from hub.errors import ErrorCode

SIZE_ARGUMENTS = ("first", "last", "limit")
MAX_PAGE = (
    100  # what the paged fields clamp `first`/`last`/`limit` to: the size of a list sized by a variable
)


def _is_list(type_: GraphQLOutputType) -> bool:
    return is_list_type(get_nullable_type(type_))


def _costs(type_: GraphQLOutputType) -> bool:
    named = get_named_type(type_)
    return is_object_type(named) or is_abstract_type(named)


class _Estimator:
    def __init__(self, context: ValidationContext, list_size: int, ceiling: int) -> None:
        self.context = context
        self.list_size = list_size
        self.ceiling = ceiling
        # A fragment's cost depends only on the size handed to it: each is walked once per size, so fragments
        # spreading fragments cannot make the walk exponential.
        self.fragments: dict[tuple[str, int | None], int] = {}

    def size(self, node: FieldNode, definition: GraphQLField) -> int | None:
        """The list size the field's arguments ask for; None when it has no size argument."""
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        for name in SIZE_ARGUMENTS:
            if name not in definition.args:
                continue
            value = given.get(name)
            if isinstance(value, IntValueNode):
                return max(0, int(value.value))
            if isinstance(value, VariableNode):
                return MAX_PAGE
            default = definition.args[name].default_value
            return default if isinstance(default, int) else MAX_PAGE
        return None

    def selection_cost(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        pending: int | None,
        seen: frozenset[str],
    ) -> int:
        """The cost of a selection set on `parent`; `pending` is a connection's size for its first lists."""
        if selection_set is None or parent is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field_cost(selection, parent, pending, seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                on = self.context.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_cost(selection.selection_set, on, pending, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.context.get_fragment(name)
                if fragment is None or name in seen:  # unknown or cyclic: other rules report it
                    continue
                key = (name, pending)
                if key not in self.fragments:
                    on = self.context.schema.get_type(fragment.type_condition.name.value)
                    self.fragments[key] = self.selection_cost(
                        fragment.selection_set, on, pending, seen | {name}
                    )
                total += self.fragments[key]
            if total > self.ceiling:
                return total  # over already: no need to walk a hostile document to its end
        return total

    def field_cost(
        self, node: FieldNode, parent: GraphQLNamedType, pending: int | None, seen: frozenset[str]
    ) -> int:
        fields = parent.fields if isinstance(parent, GraphQLObjectType) else getattr(parent, "fields", None)
        definition: GraphQLField | None = (fields or {}).get(node.name.value)
        if definition is None or not _costs(definition.type):
            return 0  # scalars, enums, __typename and unknown fields (reported by other rules)
        asked = self.size(node, definition)
        if _is_list(definition.type):
            multiplier = asked if asked is not None else (pending if pending is not None else self.list_size)
            below = None
        else:
            multiplier = 1
            below = asked if asked is not None else pending
        inner = self.selection_cost(node.selection_set, get_named_type(definition.type), below, seen)
        return multiplier * (1 + inner)


def operation_cost(
    context: ValidationContext, operation: OperationDefinitionNode, list_size: int, ceiling: int
) -> int:
    root = context.schema.get_root_type(operation.operation)
    return _Estimator(context, list_size, ceiling).selection_cost(
        operation.selection_set, root, None, frozenset()
    )


def query_cost(max_cost: int, list_size: int) -> type[ASTValidationRule]:
    """A validation rule: every operation's estimated cost at most `max_cost` (QUERY_TOO_COMPLEX beyond)."""

    class QueryCost(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
            cost = operation_cost(self.context, node, list_size, max_cost)
            if cost > max_cost:
                self.report_error(
                    GraphQLError(
                        f"The operation is too expensive: estimated cost {cost}, at most {max_cost} allowed.",
                        nodes=[node],
                        extensions={
                            "code": ErrorCode.QUERY_TOO_COMPLEX.value,
                            "cost": cost,
                            "maxCost": max_cost,
                        },
                    )
                )

    return QueryCost
