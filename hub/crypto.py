"""CPR numbers at rest: AES-GCM encryption for the stored value, a keyed hash (HMAC-SHA256) for look-up.

The clear CPR number exists only in memory, on its way to a department system or to a role that needs it.
Never log the clear value or the hash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hub.cpr import normalize
from hub.secrets import dev_secret
from hub.settings import Settings

_NONCE = 12


class CprVault:
    def __init__(self, encryption_key: bytes, hash_key: bytes) -> None:
        if len(encryption_key) not in (16, 24, 32):
            raise ValueError("CPR encryption key must be 16, 24 or 32 bytes")
        if len(hash_key) < 16:
            raise ValueError("CPR hash key must be at least 16 bytes")
        self._aead = AESGCM(encryption_key)
        self._hash_key = hash_key

    @classmethod
    def from_settings(cls, settings: Settings) -> CprVault:
        enc = settings.cpr_encryption_key.get_secret_value()
        hsh = settings.cpr_hash_key.get_secret_value()
        enc_key = base64.urlsafe_b64decode(enc) if enc else dev_secret(settings.var_dir, "cpr_encryption_key")
        hash_key = base64.urlsafe_b64decode(hsh) if hsh else dev_secret(settings.var_dir, "cpr_hash_key")
        return cls(enc_key, hash_key)

    def lookup_hash(self, cpr: str) -> str:
        """A stable keyed hash of the normalised CPR number, for unique indexes and look-ups."""
        digest = hmac.new(self._hash_key, normalize(cpr).encode(), hashlib.sha256).hexdigest()
        return digest

    def content_digest(self, data: bytes) -> str:
        """A keyed hash of content that may hold a CPR number (e.g. a pushed event), to compare it later
        without keeping it; domain-separated from `lookup_hash`."""
        return hmac.new(self._hash_key, b"content\0" + data, hashlib.sha256).hexdigest()

    def encrypt(self, cpr: str) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, normalize(cpr).encode(), b"cpr")

    def decrypt(self, blob: bytes) -> str:
        return self._aead.decrypt(blob[:_NONCE], blob[_NONCE:], b"cpr").decode()
