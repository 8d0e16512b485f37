"""Webhook signatures: HMAC-SHA256 over timestamp + "." + body, a tolerance window, constant-time compare."""

from __future__ import annotations

import pytest

from hub.ingestion.webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureError,
    sign,
    signed_headers,
    verify,
)

SECRET = "s3cret"
BODY = b'{"events": []}'
NOW = 1_800_000_000.0


def test_a_correctly_signed_request_verifies() -> None:
    headers = signed_headers(SECRET, BODY, now=NOW)
    verify(SECRET, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER], BODY, now=NOW + 10, tolerance_s=300)


@pytest.mark.parametrize(
    ("timestamp", "signature", "body", "secret", "message"),
    [
        ("1800000000", "sha256=" + "0" * 64, BODY, SECRET, "does not match"),
        ("1800000000", sign(SECRET, "1800000000", BODY), b'{"events": [1]}', SECRET, "does not match"),
        ("1800000000", sign("other", "1800000000", BODY), BODY, SECRET, "does not match"),
        ("1799999000", sign(SECRET, "1799999000", BODY), BODY, SECRET, "window"),
        ("1800000400", sign(SECRET, "1800000400", BODY), BODY, SECRET, "window"),
        ("soon", sign(SECRET, "soon", BODY), BODY, SECRET, "Unix seconds"),
        (None, sign(SECRET, "1800000000", BODY), BODY, SECRET, "required"),
        ("1800000000", None, BODY, SECRET, "required"),
        ("1800000000", sign("", "1800000000", BODY), BODY, "", "not configured"),
    ],
)
def test_forged_stale_or_missing_signatures_are_refused(
    timestamp: str | None, signature: str | None, body: bytes, secret: str, message: str
) -> None:
    with pytest.raises(SignatureError, match=message):
        verify(secret, timestamp, signature, body, now=NOW, tolerance_s=300)


def test_the_signature_covers_the_timestamp() -> None:
    # Replaying an old body under a fresh timestamp needs a fresh signature.
    old = sign(SECRET, "1799990000", BODY)
    with pytest.raises(SignatureError):
        verify(SECRET, "1800000000", old, BODY, now=NOW, tolerance_s=300)
