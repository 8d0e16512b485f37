"""Trusted documents (hub/documents): the checked-in manifest is what the operation files build, the README's
operations are among them, and the resolution table of hub/documents/trust.py, row by row."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hub.documents.manifest import MANIFEST_PATH, ROOT, build, document_id, load, operation_files, render
from hub.documents.trust import DocumentRefused, TrustedDocuments, TrustMode, trusted_documents
from hub.settings import Environment, Settings

README_BLOCKS = re.findall(r"```graphql\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.DOTALL)
ME = "query Me { me { username } }"
OTHER = "{ me { role } }"
ME_ID = document_id(ME)


def test_the_checked_in_manifest_is_what_the_operation_files_build() -> None:
    """Fails when an operation file changed (or was added) without `hub documents build`."""
    assert MANIFEST_PATH.read_text(encoding="utf-8") == render(build(operation_files())), (
        "schema/trusted-documents.json is out of date: run `hub documents build`"
    )


def test_the_readme_operations_are_operation_files() -> None:
    """Each GraphQL example of the README is, character for character, a checked-in operation file (so its
    SHA-256 is on the list), and the department systems' push operation is there too."""
    bodies = {p.read_text(encoding="utf-8") for p in operation_files()}
    assert README_BLOCKS
    for block in README_BLOCKS:
        assert block in bodies, block[:60]
    names = {entry["name"] for entry in build(operation_files())["operations"]}  # type: ignore[attr-defined]
    assert {"PushDepartmentUpdates", "FamilyPlan", "UpdateGoal", "Me"} <= names


def test_a_manifest_entry_must_match_its_id(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(
        render(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": "0" * 64, "name": "Me", "type": "query", "body": ME}],
            }
        )
    )
    with pytest.raises(ValueError, match="does not match"):
        load(path)


def test_a_file_with_two_operations_is_refused(tmp_path: Path) -> None:
    (tmp_path / "two.graphql").write_text("query A { me { username } } query B { me { role } }")
    with pytest.raises(ValueError, match="exactly one operation"):
        build([tmp_path / "two.graphql"])


def test_production_requires_trusted_documents_by_default() -> None:
    assert Settings(env=Environment.PRODUCTION).trusted_documents_required
    assert not Settings().trusted_documents_required
    assert not Settings(env=Environment.PRODUCTION, trusted_documents="off").trusted_documents_required
    assert trusted_documents(Settings()).documents == load()


def refusal(trust: TrustedDocuments, *args: object) -> tuple[str, int]:
    with pytest.raises(DocumentRefused) as refused:
        trust.resolve(*args)  # type: ignore[arg-type]
    return refused.value.code.value, refused.value.status


APQ = {"persistedQuery": {"version": 1, "sha256Hash": ME_ID}}


def test_required_runs_only_listed_documents() -> None:
    trust = TrustedDocuments({ME_ID: ME}, mode=TrustMode.REQUIRED)
    assert trust.resolve(None, APQ) == ME
    assert trust.resolve(None, None, ME_ID) == ME
    assert trust.resolve(None, None, f"sha256:{ME_ID.upper()}") == ME
    assert trust.resolve(None, {"documentId": ME_ID}) == ME
    assert trust.resolve(ME, None) == ME  # the full text of a listed document
    assert trust.resolve(ME, APQ) == ME
    unknown = {"persistedQuery": {"version": 1, "sha256Hash": document_id(OTHER)}}
    assert refusal(trust, None, unknown) == ("PERSISTED_QUERY_NOT_FOUND", 200)
    assert refusal(trust, OTHER, None) == ("OPERATION_NOT_ALLOWED", 400)
    assert refusal(trust, OTHER, unknown) == ("OPERATION_NOT_ALLOWED", 400)  # no registration
    assert refusal(trust, None, unknown) == ("PERSISTED_QUERY_NOT_FOUND", 200)
    assert refusal(trust, OTHER, APQ) == ("BAD_USER_INPUT", 400)  # the id is not the document's
    assert refusal(trust, None, None, "not-a-hash") == ("BAD_USER_INPUT", 400)


def test_off_runs_ad_hoc_documents_and_registers_apq_bounded() -> None:
    trust = TrustedDocuments({ME_ID: ME}, mode=TrustMode.OFF, registered_max=2)
    assert trust.resolve(OTHER, None) == OTHER
    unknown = {"persistedQuery": {"version": 1, "sha256Hash": document_id(OTHER)}}
    assert refusal(trust, None, unknown) == ("PERSISTED_QUERY_NOT_FOUND", 200)
    assert trust.resolve(OTHER, unknown) == OTHER  # the APQ client resends with the document: registered
    assert trust.resolve(None, unknown) == OTHER
    for i in range(2):
        text = f"{{ me {{ username }} a{i}: me {{ role }} }}"
        trust.resolve(text, {"persistedQuery": {"version": 1, "sha256Hash": document_id(text)}})
    assert refusal(trust, None, unknown) == ("PERSISTED_QUERY_NOT_FOUND", 200)  # evicted: at most two
    assert trust.resolve(None, APQ) == ME  # the manifest's never are
