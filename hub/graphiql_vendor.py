"""Re-vendor GraphiQL and React into `hub/static/graphiql/` (`python -m hub.graphiql_vendor`).

Fetches the pinned npm packages with `npm pack` (hub/npm_vendor.py: the npm registry, nothing else), copies the built browser files
and each package's licence, and writes `manifest.json` (name, version, sha256, source URL per file). The hub serves
these files itself, so GraphiQL works with no network beyond the hub. Change a version here, run this, commit.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hub.npm_vendor import Package, vendor

STATIC_DIR = Path(__file__).parent / "static" / "graphiql"

PACKAGES: tuple[Package, ...] = (
    Package(
        "react",
        "18.3.1",
        (("umd/react.production.min.js", "react.production.min.js"),),
        "LICENSE",
    ),
    Package(
        "react-dom",
        "18.3.1",
        (("umd/react-dom.production.min.js", "react-dom.production.min.js"),),
        "LICENSE",
    ),
    Package(
        "graphiql",
        "3.8.3",
        (("graphiql.min.js", "graphiql.min.js"), ("graphiql.min.css", "graphiql.min.css")),
        "LICENSE",
    ),
)


def main() -> int:
    vendor(PACKAGES, STATIC_DIR, generated_by="python -m hub.graphiql_vendor")
    print(f"vendored {', '.join(f'{p.name}@{p.version}' for p in PACKAGES)} into {STATIC_DIR}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
