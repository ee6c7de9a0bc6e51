"""Write versions out as files: the whole corpus at a moment (checkout), or one version (restore).

Nothing is ever written outside the folder given: names that are absolute, contain ``..`` or
resolve elsewhere are refused (``safe_target``). ``name_problem`` is the one rule for names that
can be written out as files; imports check it too, so such names never enter a database.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import TrackerError, UnsafePath
from ..history import History
from ..models import Version, name_at
from ..refs import name_problem, version_at
from ..times import parse_bound


def safe_target(root: str | os.PathLike, name: str) -> Path:
    """Where document ``name`` goes under ``root``; refuse unsafe names (``name_problem``) and
    names that resolve outside ``root`` (through a symlink)."""
    problem = name_problem(name)
    if problem is not None:
        raise UnsafePath(f"refusing to write {name!r}: {problem}")
    base = Path(root).resolve()
    target = base.joinpath(*name.replace("\\", "/").split("/"))
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


def _blocked(history: History, target: Path) -> str | None:
    """Why a file cannot be written at ``target`` (None when it can): it is the database
    itself, a folder is there, or a file is where one of its folders should be."""
    if history.store.owns(target):
        return f"{target} is part of the tracker database"
    if target.is_dir():
        return f"{target} is a folder"
    for parent in target.parents:
        if parent.exists():
            return None if parent.is_dir() else f"{parent} is a file, not a folder"
    return None


@dataclass
class CheckoutResult:
    """What a checkout wrote, the documents it could not write, and the files it left alone."""

    written: list[tuple[str, Version]] = field(default_factory=list)
    unsafe: list[tuple[str, str]] = field(default_factory=list)  # (name, why it was skipped)
    others: list[str] = field(default_factory=list)  # files already in the folder, not ours


def _files_under(base: Path) -> list[str]:
    """Every file (and symlink) under ``base``, relative and with ``/``; symlinks not followed."""
    found = []
    for folder, dirs, names in os.walk(base):
        here = Path(folder)
        links = [name for name in dirs if (here / name).is_symlink()]
        for name in names + links:
            found.append((here / name).relative_to(base).as_posix())
    return sorted(found)


def checkout(
    history: History,
    directory: str | os.PathLike,
    at: str | None = None,
    *,
    force: bool = False,
) -> CheckoutResult:
    """Write every document as it stood at ``at`` (default: now) into ``directory``, byte-exact.

    Documents whose names cannot be written out (``name_problem``) are skipped and listed in
    ``unsafe``; everything else is still written. With ``force``, files already in the folder
    that are not part of this checkout are listed in ``others`` and left alone (never deleted).
    """
    moment = parse_bound(at, end_of_day=True) if at else "9999"  # after every stored time
    root = Path(directory)
    if root.exists() and not root.is_dir():
        raise TrackerError(f"{directory} is not a folder")
    if root.is_dir() and any(root.iterdir()) and not force:
        raise TrackerError(f"{directory} is not empty (use --force to write into it)")
    result = CheckoutResult()
    plan: list[tuple[str, Version]] = []
    for document in history.documents():
        versions = history.store.versions(document.id)
        # without a date, a document's present state is its latest version, whatever its time
        current = version_at(versions, moment) if at else (versions[-1] if versions else None)
        if current is None or current.deleted:
            continue
        renames = history.store.renames(document.id)
        name = name_at(renames, current.version, document.name, moment)
        problem = name_problem(name)
        if problem is not None:
            result.unsafe.append((name, f"refusing to write {name!r}: {problem}"))
            continue
        plan.append((name, current))
    # a name that is a folder of another ("x" and "x/y.txt", which import accepts) cannot be
    # written beside it: refused up front, so that nothing is left half written
    folders = {name.rsplit("/", 1)[0] for name, _ in plan if "/" in name}
    folders |= {
        folder.rsplit("/", k)[0]
        for folder in list(folders)
        for k in range(1, folder.count("/") + 1)
    }
    blocked = {name for name, _ in plan if name in folders}
    for name in sorted(blocked):
        inside = min(other for other, _ in plan if other.startswith(name + "/"))
        result.unsafe.append(
            (name, f"refusing to write {name!r}: {inside!r} needs a folder of that name")
        )
    plan = [(name, version) for name, version in plan if name not in blocked]
    targets: dict[Path, str] = {}
    kept: list[tuple[str, Version]] = []
    for name, version in plan:
        target = safe_target(root, name)
        if target in targets:
            raise TrackerError(f"{targets[target]} and {name} would both be written to {target}")
        problem = _blocked(history, target)
        if problem is not None:  # found before anything is written: nothing is half done
            result.unsafe.append((name, f"refusing to write {name!r}: {problem}"))
            continue
        targets[target] = name
        kept.append((name, version))
    plan = kept
    try:  # made even when nothing is written: the corpus then held no document
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise TrackerError(f"cannot create folder {directory}: {error.strerror or error}") from None
    for (_, version), target in zip(plan, targets):
        _write(target, history.rebuild(version).encode("utf-8"))
    result.written = plan
    if force and root.is_dir():
        base = root.resolve()
        ours = {target.relative_to(base).as_posix() for target in targets}
        ours |= {name for name, _ in result.unsafe}  # already warned about
        result.others = [path for path in _files_under(base) if path not in ours]
    return result


def restore(
    history: History,
    doc: str,
    at: str = "latest",
    to: str | os.PathLike | None = None,
    *,
    force: bool = False,
) -> tuple[Path, Version]:
    """Write one version of a document to a file: its name under the current folder by default.

    A ``to`` that ends with ``/`` or names an existing folder means "into this folder": it is
    created if needed and the file is named after the document's base name.
    """
    version = history.version(doc, at)
    text = history.text(version.doc, f"v{version.version}")
    if to is None:
        target = safe_target(Path.cwd(), version.doc)
    elif str(to).endswith(("/", os.sep)) or Path(to).is_dir():
        folder = Path(to)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise TrackerError(f"cannot create folder {to}: {error.strerror or error}") from None
        target = safe_target(folder, version.doc.rsplit("/", 1)[-1])
    else:
        target = Path(to)
    if history.store.owns(target):
        raise TrackerError(f"{target} is part of the tracker database: choose another file")
    if target.exists() and not force:
        raise TrackerError(f"{target} exists (use --force to overwrite it)")
    _write(target, text.encode("utf-8"))
    return target, version
