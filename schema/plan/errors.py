"""Expected errors of plan mutations as GraphQL types (strawberry's "expected errors as union result types").

Pattern: every plan mutation returns a union of the changed object and the error types it can produce, e.g.
`union GoalResult = PlanGoal | PlanInputError | PlanNotFoundError | PlanForbiddenError | PlanConflictError`.
Clients select `__typename` and the fields of each member; every error type implements `PlanMutationError`
(`code`, `message`), so `... on PlanMutationError { code message }` catches them all. `code` is the hub's
stable error code (BAD_USER_INPUT, NOT_FOUND, FORBIDDEN, CONFLICT). Services raise `AppError`s; `as_result`
turns the expected ones into these types. Anything unexpected (and UNAUTHENTICATED) still goes to the
top-level `errors`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry

from hub.errors import AppError, BadUserInput, Conflict, Forbidden, NotFound


@strawberry.interface(description="An expected error of a plan mutation, returned as data.")
class PlanMutationError:
    code: str = strawberry.field(description="BAD_USER_INPUT, NOT_FOUND, FORBIDDEN or CONFLICT.")
    message: str = strawberry.field(description="Safe to show; never contains personal data.")


@strawberry.type(description="BAD_USER_INPUT: the input is invalid; `field` names the offending input field.")
class PlanInputError(PlanMutationError):
    field: str | None = strawberry.field(description="The offending input field, e.g. 'title' or 'score'.")


@strawberry.type(description="NOT_FOUND: no such family, goal, action, meeting or member, for this viewer.")
class PlanNotFoundError(PlanMutationError):
    field: str | None = strawberry.field(description="The input field naming the missing thing.")


@strawberry.type(description="FORBIDDEN: the viewer may see the family but not make this change.")
class PlanForbiddenError(PlanMutationError):
    pass


@strawberry.type(
    description="CONFLICT: the plan changed since the client read it (reload and retry), or the family's "
    "course is closed and its plan is read-only (reason FAMILY_CLOSED)."
)
class PlanConflictError(PlanMutationError):
    current_version: int = strawberry.field(
        description="The plan's current version; for a live meeting's draft (reasons STALE_DRAFT, PEN_HELD, "
        "NO_PEN, MEETING_CLOSED) the draft's current version."
    )
    reason: str | None = strawberry.field(
        default=None,
        description="FAMILY_CLOSED when the family's course is closed (re-open it first); for a live meeting "
        "STALE_DRAFT (the draft was saved since: reload it), PEN_HELD (someone else holds the pen), NO_PEN "
        "(take the pen first) or MEETING_CLOSED; null for a stale plan version.",
    )


PlanError = PlanInputError | PlanNotFoundError | PlanForbiddenError | PlanConflictError
T = TypeVar("T")


def error_of(exc: AppError) -> PlanError | None:
    field = exc.extensions.get("field")
    code = exc.code.value
    if isinstance(exc, BadUserInput):
        return PlanInputError(code=code, message=exc.message, field=field)
    if isinstance(exc, NotFound):
        return PlanNotFoundError(code=code, message=exc.message, field=field)
    if isinstance(exc, Forbidden):
        return PlanForbiddenError(code=code, message=exc.message)
    if isinstance(exc, Conflict):
        return PlanConflictError(
            code=code,
            message=exc.message,
            current_version=int(exc.extensions.get("currentVersion", 0)),
            reason=exc.extensions.get("reason"),
        )
    return None


async def as_result(call: Callable[[], Awaitable[T]]) -> T | PlanError:
    """Run a versioned service call; expected errors become data, anything else propagates."""
    try:
        return await call()
    except AppError as exc:
        error = error_of(exc)
        if error is None:
            raise
        return error


async def as_append_result(
    call: Callable[[], Awaitable[T]],
) -> T | PlanInputError | PlanNotFoundError | PlanForbiddenError:
    """Run an unversioned service call (an append): CONFLICT is not expected there and propagates."""
    try:
        return await call()
    except AppError as exc:
        error = error_of(exc)
        if error is None or isinstance(error, PlanConflictError):
            raise
        return error
