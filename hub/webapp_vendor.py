"""Re-vendor the front-end's libraries into `hub/static/app/vendor/` (`python -m hub.webapp_vendor`).

Preact (with its hooks), htm and uPlot, fetched as pinned npm packages with `npm pack` (the npm registry, nothing
else): the browser ES-module builds and each package's licence are copied, and `manifest.json` records name,
version, source URL and sha256 per file. Node and npm are needed only here, never for `make run` or `make test`.

One rewrite, recorded in the manifest (`rewrite`, `upstreamSha256`): Preact's hooks module imports the bare
specifier `"preact"`, which a browser resolves only with an import map (an inline script, which our CSP forbids);
it is pointed at the vendored `./preact.module.js` instead. Change a version here, run this, commit.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

VENDOR_DIR = Path(__file__).parent / "static" / "app" / "vendor"
REGISTRY = "https://registry.npmjs.org"


@dataclass(frozen=True)
class Rewrite:
    old: str
    new: str


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    files: tuple[tuple[str, str], ...]  # (path inside the package, name under static/app/vendor)
    license_file: str
    rewrites: tuple[tuple[str, Rewrite], ...] = ()  # (vendored name, rewrite)

    @property
    def tarball_url(self) -> str:
        return f"{REGISTRY}/{self.name}/-/{self.name.rsplit('/', 1)[-1]}-{self.version}.tgz"


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


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def vendor(target: Path = VENDOR_DIR) -> dict[str, object]:
    target.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for package in PACKAGES:
            subprocess.run(  # noqa: S603 - fixed arguments
                ["npm", "pack", "--silent", f"{package.name}@{package.version}"],  # noqa: S607 - developer tool
                cwd=work,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            tgz = next(work.glob(f"{package.name.rsplit('/', 1)[-1]}-{package.version}.tgz"))
            unpacked = work / package.name
            with tarfile.open(tgz) as archive:
                archive.extractall(unpacked, filter="data")
            root = unpacked / "package"
            rewrites = dict(package.rewrites)
            for source, name in package.files:
                upstream = (root / source).read_bytes()
                entry = _entry(package, name, upstream)
                data = upstream
                if name in rewrites:
                    rewrite = rewrites[name]
                    text = upstream.decode()
                    if rewrite.old not in text:
                        raise RuntimeError(f"{name}: {rewrite.old!r} not found; check the rewrite")
                    data = text.replace(rewrite.old, rewrite.new).encode()
                    entry["rewrite"] = f"{rewrite.old} -> {rewrite.new}"
                    entry["upstreamSha256"] = sha256_hex(upstream)
                (target / name).write_bytes(data)
                entry["sha256"] = sha256_hex(data)
                entries.append(entry)
            license_name = f"LICENSE.{package.name}"
            shutil.copyfile(root / package.license_file, target / license_name)
            entries.append(_entry(package, license_name, (target / license_name).read_bytes()))
    manifest: dict[str, object] = {
        "generatedBy": "python -m hub.webapp_vendor",
        "files": sorted(entries, key=lambda e: e["file"]),
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _entry(package: Package, name: str, data: bytes) -> dict[str, str]:
    return {
        "file": name,
        "package": package.name,
        "version": package.version,
        "sha256": sha256_hex(data),
        "source": package.tarball_url,
    }


def main() -> int:
    vendor()
    print(f"vendored {', '.join(f'{p.name}@{p.version}' for p in PACKAGES)} into {VENDOR_DIR}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
