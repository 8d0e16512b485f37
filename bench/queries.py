"""The GraphQL documents the benchmark sends, and the check that an answer is a real answer.

`FAMILY_QUERY` is the README's full family query ("The example query as GraphQL") with the family id as a
variable, as a front-end sends it: with the id inlined, every family would be a new document and the parser
and validation caches would never hit. Nothing here prints a response body (it holds fictitious personal data,
but the habit matters).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp
import orjson

FAMILY_QUERY = """
query FamilyView($id: ID!) {
  family(id: $id) {
    name district housingArea status
    summary { headline departmentsInvolved openCases unavailableDepartments }
    members {
      name role age cpr
      social        { status source { fetchedAt stale } record { caseId measures { kind status } } }
      employment    { status record { benefit { type rate monthlyAmountDkk } targetGroup nextInterview } }
      childAndYouth { status record { institution { name grade } absence { quarter unlawfulPct unlawfulFlag } } }
      leisure       { status record { activeLeisure memberships { association activity active } } }
      health        { status healthWithheld record { services { name status } referrals { to status } } }
    }
  }
}
"""

LIST_QUERY = """
query FamilyList {
  families(first: 20, filter: {district: NORREBRO}) { edges { node { id name status } } totalCount }
}
"""

# Codes that are part of a correct answer for some members (the viewer lacks consent or need-to-know there).
EXPECTED_CODES = frozenset({"CONSENT_REQUIRED", "FORBIDDEN"})
# Section statuses that mean a department call failed: a degraded answer, which a benchmark must not hide.
FAILED_STATUSES = frozenset({"UNAVAILABLE", "BAD_RESPONSE"})


class AnswerError(Exception):
    """A GraphQL answer that is not a full, correct answer; `code` is short and free of personal data."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def check_answer(status: int, body: bytes, root: str) -> Mapping[str, Any]:
    """Raise AnswerError unless HTTP 200, no unexpected GraphQL error and `data[root]` present."""
    if status != 200:
        raise AnswerError(f"HTTP{status}")
    try:
        answer = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise AnswerError("not_json") from exc
    for error in answer.get("errors") or ():
        code = (error.get("extensions") or {}).get("code", "NO_CODE")
        if code not in EXPECTED_CODES:
            raise AnswerError(str(code))
    data = answer.get("data") or {}
    if data.get(root) is None:
        raise AnswerError(f"no_{root}")
    return data


def failed_sections(family: Mapping[str, Any]) -> int:
    sections = ("social", "employment", "childAndYouth", "leisure", "health")
    return sum(
        1
        for member in family.get("members") or ()
        for name in sections
        if (member.get(name) or {}).get("status") in FAILED_STATUSES
    )


class HubClient:
    """Posts GraphQL documents to one hub with one bearer token, over the load generator's session."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str) -> None:
        self.session = session
        self.url = f"{base_url}/graphql"
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    async def post(self, query: str, variables: Mapping[str, Any] | None = None) -> tuple[int, bytes]:
        payload = orjson.dumps({"query": query, "variables": dict(variables or {})})
        async with self.session.post(self.url, data=payload, headers=self.headers) as response:
            return response.status, await response.read()

    async def family(self, family_id: str) -> Mapping[str, Any]:
        status, body = await self.post(FAMILY_QUERY, {"id": family_id})
        family = check_answer(status, body, "family")["family"]
        if failed_sections(family):
            raise AnswerError("section_failed")
        return family  # type: ignore[no-any-return]

    async def families_page(self) -> Mapping[str, Any]:
        status, body = await self.post(LIST_QUERY)
        return check_answer(status, body, "families")["families"]  # type: ignore[no-any-return]
