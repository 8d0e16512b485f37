"""The shared npm vendoring helper writes the files, their licences and a manifest that matches them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub import graphiql_vendor, npm_vendor, webapp_vendor
from hub.npm_vendor import Package, Rewrite, sha256_hex


def test_vendor_copies_rewrites_and_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    upstream = tmp_path / "pkg" / "package"
    (upstream / "dist").mkdir(parents=True)
    (upstream / "dist" / "a.js").write_bytes(b'import x from"dep";')
    (upstream / "LICENSE").write_bytes(b"MIT")
    monkeypatch.setattr(npm_vendor, "_unpack", lambda package, work: upstream)
    package = Package(
        "lib",
        "1.2.3",
        (("dist/a.js", "a.js"),),
        "LICENSE",
        (("a.js", Rewrite('from"dep"', 'from"./dep.js"')),),
    )
    target = tmp_path / "out"

    manifest = npm_vendor.vendor([package], target, generated_by="test")

    assert (target / "a.js").read_bytes() == b'import x from"./dep.js";'
    assert (target / "LICENSE.lib").read_bytes() == b"MIT"
    assert json.loads((target / "manifest.json").read_text()) == manifest
    lic, a = manifest["files"]  # type: ignore[misc]
    assert a == {
        "file": "a.js",
        "package": "lib",
        "version": "1.2.3",
        "sha256": sha256_hex(b'import x from"./dep.js";'),
        "source": "https://registry.npmjs.org/lib/-/lib-1.2.3.tgz",
        "rewrite": 'from"dep" -> from"./dep.js"',
        "upstreamSha256": sha256_hex(b'import x from"dep";'),
    }
    assert lic["file"] == "LICENSE.lib"
    assert lic["sha256"] == sha256_hex(b"MIT")


@pytest.mark.parametrize("module", [graphiql_vendor, webapp_vendor])
def test_checked_in_manifests_list_the_pinned_packages(module: object) -> None:
    packages: tuple[Package, ...] = module.PACKAGES  # type: ignore[attr-defined]
    folder: Path = getattr(module, "STATIC_DIR", None) or module.VENDOR_DIR  # type: ignore[attr-defined]
    manifest = json.loads((folder / "manifest.json").read_text())
    files = {e["file"]: e for e in manifest["files"]}
    for p in packages:
        for _source, name in (*p.files, ("", f"LICENSE.{p.name}")):
            assert files[name]["version"] == p.version
            assert files[name]["sha256"] == sha256_hex((folder / name).read_bytes())
