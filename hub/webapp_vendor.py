"""Re-vendor the front-end's libraries into `hub/static/app/vendor/` (`python -m hub.webapp_vendor`).

Preact (with its hooks), htm and uPlot, fetched as pinned npm packages with `npm pack` (the npm registry, nothing
else): the browser ES-module builds and each package's licence are copied, and `manifest.json` records name,
version, source URL and sha256 per file. Node and npm are needed only here, never for `make run` or `make test`.

One rewrite, recorded in the manifest (`rewrite`, `upstreamSha256`): Preact's hooks module imports the bare
specifier `"preact"`, which a browser resolves only with an import map (an inline script, which our CSP forbids);
it is pointed at the vendored `./preact.module.js` instead. Change a version here, run this, commit.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hub.npm_vendor import Package, Rewrite, vendor

VENDOR_DIR = Path(__file__).parent / "static" / "app" / "vendor"

PREACT_IMPORT = Rewrite('from"preact"', 'from"./preact.module.js"')

PACKAGES: tuple[Package, ...] = (
    Package(
        "preact",
        "10.29.8",
        (
            ("dist/preact.module.js", "preact.module.js"),
            ("hooks/dist/hooks.module.js", "hooks.module.js"),
        ),
        "LICENSE",
        (("hooks.module.js", PREACT_IMPORT),),
    ),
    Package("htm", "3.1.1", (("dist/htm.module.js", "htm.module.js"),), "LICENSE"),
    Package(
        "uplot",
        "1.6.32",
        (("dist/uPlot.esm.js", "uPlot.esm.js"), ("dist/uPlot.min.css", "uPlot.min.css")),
        "LICENSE",
    ),
)


def main() -> int:
    vendor(PACKAGES, VENDOR_DIR, generated_by="python -m hub.webapp_vendor")
    print(f"vendored {', '.join(f'{p.name}@{p.version}' for p in PACKAGES)} into {VENDOR_DIR}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
