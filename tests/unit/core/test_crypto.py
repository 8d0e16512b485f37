from pathlib import Path

from hub.crypto import CprVault
from hub.settings import Settings


def test_vault_round_trips_and_hashes_stably(tmp_path: Path) -> None:
    vault = CprVault.from_settings(Settings(var_dir=tmp_path))
    blob = vault.encrypt("010180-1234")
    assert b"0101801234" not in blob
    assert vault.decrypt(blob) == "0101801234"
    assert vault.encrypt("0101801234") != blob  # a fresh nonce each time
    assert vault.lookup_hash("010180-1234") == vault.lookup_hash("0101801234")
    # The development keys persist under var/: a second vault reads what the first wrote.
    again = CprVault.from_settings(Settings(var_dir=tmp_path))
    assert again.decrypt(blob) == "0101801234"
    assert (tmp_path / "dev-secrets.json").stat().st_mode & 0o077 == 0
