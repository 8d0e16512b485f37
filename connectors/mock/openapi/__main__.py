"""Regenerate the checked-in OpenAPI documents: `python -m connectors.mock.openapi`."""

from __future__ import annotations

import sys

from connectors.mock.openapi import write_all


def main() -> int:
    for path in write_all():
        sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
