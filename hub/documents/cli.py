"""`hub documents build`: write the trusted-documents manifest from the checked-in operation files;
`hub documents check`: exit 1 when the manifest is not what `build` would write (CI, a pre-commit hook)."""

from __future__ import annotations

import argparse
import sys

from hub.command import Command
from hub.documents.manifest import MANIFEST_PATH, ROOT, build, operation_files, render
from hub.settings import Settings


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["build", "check"], help="build: write the manifest; check: compare")


def _run(args: argparse.Namespace, settings: Settings) -> int:
    path = settings.trusted_documents_manifest or MANIFEST_PATH
    files = operation_files()
    wanted = render(build(files))
    if args.action == "check":
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != wanted:
            print(f"{path} is out of date: run `hub documents build`", file=sys.stderr)
            return 1
        print(f"{path}: {len(files)} operations, up to date")
        return 0
    path.write_text(wanted, encoding="utf-8")
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(f"wrote {shown}: {len(files)} operations")
    return 0


COMMANDS = (
    Command(
        "documents",
        "build or check the trusted-documents manifest from the checked-in .graphql operations",
        _configure,
        _run,
    ),
)
