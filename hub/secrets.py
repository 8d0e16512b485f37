"""Development secrets, generated once under `var/` and never committed.

In production every secret comes from the environment (see `Settings.check_production`); this module only
fills the gaps in development so that `make run` works on a fresh machine.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path

_FILE = "dev-secrets.json"


def dev_secret(var_dir: Path, name: str, nbytes: int = 32) -> bytes:
    """A random secret persisted in `var_dir/dev-secrets.json` (mode 0600), created on first use."""
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / _FILE
    data: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if name not in data:
        data[name] = base64.urlsafe_b64encode(secrets.token_bytes(nbytes)).decode()
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh)
        tmp.replace(path)
    return base64.urlsafe_b64decode(data[name])
