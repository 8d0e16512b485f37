"""Re-vendor GraphiQL and React into `hub/static/graphiql/` (`python -m hub.graphiql_vendor`).

Fetches the pinned npm packages with `npm pack` (the npm registry, nothing else), copies the built browser files
and each package's licence, and writes `manifest.json` (name, version, sha256, source URL per file). The hub serves
these files itself, so GraphiQL works with no network beyond the hub. Change a version here, run this, commit.
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

STATIC_DIR = Path(__file__).parent / "static" / "graphiql"
REGISTRY = "https://registry.npmjs.org"


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    files: tuple[tuple[str, str], ...]  # (path inside the package, name under static/graphiql)
    license_file: str

    @property
    def tarball_url(self) -> str:
        return f"{REGISTRY}/{self.name}/-/{self.name.rsplit('/', 1)[-1]}-{self.version}.tgz"


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


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def vendor(target: Path = STATIC_DIR) -> dict[str, object]:
    target.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for package in PACKAGES:
            spec = f"{package.name}@{package.version}"
            subprocess.run(  # noqa: S603 - fixed arguments
                ["npm", "pack", "--silent", spec],  # noqa: S607 - npm from PATH, a developer tool
                cwd=work,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            tgz = next(work.glob(f"{package.name.rsplit('/', 1)[-1]}-{package.version}.tgz"))
            unpacked = work / package.name
            with tarfile.open(tgz) as archive:
                archive.extractall(unpacked, filter="data")
            root = unpacked / "package"
            for source, name in package.files:
                shutil.copyfile(root / source, target / name)
                entries.append(_entry(package, name, target))
            license_name = f"LICENSE.{package.name}"
            shutil.copyfile(root / package.license_file, target / license_name)
            entries.append(_entry(package, license_name, target))
    manifest: dict[str, object] = {
        "generatedBy": "python -m hub.graphiql_vendor",
        "files": sorted(entries, key=lambda e: e["file"]),
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _entry(package: Package, name: str, target: Path) -> dict[str, str]:
    return {
        "file": name,
        "package": package.name,
        "version": package.version,
        "sha256": sha256_of(target / name),
        "source": package.tarball_url,
    }


def main() -> int:
    vendor()
    print(f"vendored {', '.join(f'{p.name}@{p.version}' for p in PACKAGES)} into {STATIC_DIR}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
