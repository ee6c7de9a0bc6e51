"""Write versions out as files: the whole corpus at a moment (checkout), or one version (restore).

Nothing is ever written outside the folder given: names that are absolute, contain ``..`` or
resolve elsewhere are refused (``safe_target``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .api import Tracker
from .corpus import parse_bound
from .errors import TrackerError, UnsafePath
from .store import Version


def safe_target(root: str | os.PathLike, name: str) -> Path:
    """Where document ``name`` goes under ``root``; refuse absolute names, ``..`` and escapes."""
    clean = name.replace("\\", "/")
    parts = clean.split("/")
    if (
        not clean.strip("/")
        or clean.startswith("/")
        or re.match(r"^[A-Za-z]:", clean)
        or ".." in parts
        or "\0" in clean
    ):
        raise UnsafePath(f"refusing to write {name!r}: absolute paths and '..' are not allowed")
    base = Path(root).resolve()
    target = base.joinpath(*[part for part in parts if part not in ("", ".")])
    if not target.resolve().is_relative_to(base):
        raise UnsafePath(f"refusing to write {name!r}: it resolves outside {root}")
    return target


def _write(target: Path, data: bytes) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as out:
            out.write(data)
    except OSError as error:
        raise TrackerError(f"cannot write {target}: {error.strerror or error}") from None


def _name_at(history: list[Version], renames: list[dict], version: Version, moment: str) -> str:
    """The document's name when ``version`` was current at ``moment`` (renames rewound)."""
    name = history[-1].doc
    for rename in reversed(renames):
        after_version = rename["version"] > version.version
        if after_version or (
            rename["version"] == version.version and rename["renamed_at"] > moment
        ):
            name = rename["from"]
    return name


def checkout(
    tracker: Tracker,
    directory: str | os.PathLike,
    at: str | None = None,
    *,
    force: bool = False,
) -> list[tuple[str, Version]]:
    """Write every document as it stood at ``at`` (default: now) into ``directory``, byte-exact."""
    moment = parse_bound(at, end_of_day=True) if at else "9999"  # after every stored time
    root = Path(directory)
    if root.exists() and not root.is_dir():
        raise TrackerError(f"{directory} is not a folder")
    if root.is_dir() and any(root.iterdir()) and not force:
        raise TrackerError(f"{directory} is not empty (use --force to write into it)")
    plan: list[tuple[str, Version]] = []
    for document in tracker.documents():
        history = tracker.store.versions(document.id)
        before = [v for v in history if v.captured_at <= moment]
        if not before or before[-1].deleted:
            continue
        name = _name_at(history, tracker.store.renames(document.id), before[-1], moment)
        plan.append((name, before[-1]))
    targets = {}
    for name, _ in plan:
        target = safe_target(root, name)
        if target in targets:
            raise TrackerError(f"{targets[target]} and {name} would both be written to {target}")
        targets[target] = name
    for (_, version), target in zip(plan, targets):
        _write(target, tracker.rebuild(version).encode("utf-8"))
    return plan


def restore(
    tracker: Tracker,
    doc: str,
    at: str = "latest",
    to: str | os.PathLike | None = None,
    *,
    force: bool = False,
) -> tuple[Path, Version]:
    """Write one version of a document to a file: its name under the current folder by default."""
    version = tracker.version(doc, at)
    text = tracker.text(version.doc, f"v{version.version}")
    if to is None:
        target = safe_target(Path.cwd(), version.doc)
    elif Path(to).is_dir():
        target = safe_target(to, version.doc.rsplit("/", 1)[-1])
    else:
        target = Path(to)
    if target.exists() and not force:
        raise TrackerError(f"{target} exists (use --force to overwrite it)")
    _write(target, text.encode("utf-8"))
    return target, version
