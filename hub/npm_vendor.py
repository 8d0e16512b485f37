"""Vendoring pinned npm packages into a folder the hub serves itself (shared by the GraphiQL and app vendorers).

Each package is fetched with `npm pack NAME@VERSION` (the npm registry, nothing else); the named files and the
package's licence are copied, and `manifest.json` records name, version, source URL and sha256 per file. A
`Rewrite` changes one vendored file (recorded in the manifest as `rewrite` and `upstreamSha256`). Node and npm are
needed only here, never for `make run` or `make test`.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"


@dataclass(frozen=True)
class Rewrite:
    old: str
    new: str


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    files: tuple[tuple[str, str], ...]  # (path inside the package, name in the vendored folder)
    license_file: str
    rewrites: tuple[tuple[str, Rewrite], ...] = ()  # (vendored name, rewrite)

    @property
    def tarball_url(self) -> str:
        return f"{REGISTRY}/{self.name}/-/{self.name.rsplit('/', 1)[-1]}-{self.version}.tgz"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def vendor(packages: Sequence[Package], target: Path, *, generated_by: str) -> dict[str, object]:
    target.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for package in packages:
            root = _unpack(package, work)
            rewrites = dict(package.rewrites)
            for source, name in package.files:
                entries.append(
                    _copy(package, (root / source).read_bytes(), target / name, rewrites.get(name))
                )
            license_bytes = (root / package.license_file).read_bytes()
            entries.append(_copy(package, license_bytes, target / f"LICENSE.{package.name}", None))
    manifest: dict[str, object] = {
        "generatedBy": generated_by,
        "files": sorted(entries, key=lambda e: e["file"]),
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _unpack(package: Package, work: Path) -> Path:
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
    return unpacked / "package"


def _copy(package: Package, upstream: bytes, dest: Path, rewrite: Rewrite | None) -> dict[str, str]:
    entry = {
        "file": dest.name,
        "package": package.name,
        "version": package.version,
        "sha256": sha256_hex(upstream),
        "source": package.tarball_url,
    }
    data = upstream
    if rewrite is not None:
        text = upstream.decode()
        if rewrite.old not in text:
            raise RuntimeError(f"{dest.name}: {rewrite.old!r} not found; check the rewrite")
        data = text.replace(rewrite.old, rewrite.new).encode()
        entry["rewrite"] = f"{rewrite.old} -> {rewrite.new}"
        entry["upstreamSha256"] = sha256_hex(upstream)
        entry["sha256"] = sha256_hex(data)
    dest.write_bytes(data)
    return entry
