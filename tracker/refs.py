"""Resolve what users type into documents and versions, and the one rule for document names.

Pure functions over lists, so every rule and every error message is tested without a database.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
import unicodedata
from collections.abc import Sequence
from typing import Protocol, TypeVar

from .errors import AmbiguousDocument, UnknownDocument, UnknownVersion
from .times import looks_like_time, parse_time, to_iso

_RELATIVE = re.compile(r"^(?:latest|head)~(\d+)$", re.IGNORECASE)
_NUMBER = re.compile(r"^[vV]?(\d+)$")
_DRIVE = re.compile(r"^[A-Za-z]:")
#: Unicode's control characters (category Cc): C0, DEL and C1.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")

#: How many candidates an "ambiguous prefix" error lists before saying "and N more".
MAX_CANDIDATES_SHOWN = 8


def _basename(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _stem(name: str) -> str:
    base = _basename(name)
    return base.rsplit(".", 1)[0] if "." in base[1:] else base


def normalize_name(query: str) -> str:
    """Clean a user-typed document name: forward slashes, no leading ``./``, and no whitespace
    around it (none left behind by a ``./`` either: names never begin or end with a space)."""
    name = query.replace("\\", "/").strip()
    while name.startswith("./"):
        name = name[2:].lstrip()
    return name


def resolve_document(query: str, names: Sequence[str]) -> str:
    """Find the one document named by its path, file name, stem or a unique prefix of those.

    Failing that, the same in Unicode's composed form (NFC) on both sides: a file named on macOS
    keeps its accents decomposed (NFD), which looks the same but is typed composed.
    """
    try:
        return _resolve_document(query, names)
    except UnknownDocument:
        composed = {unicodedata.normalize("NFC", name): name for name in names}
        wanted = unicodedata.normalize("NFC", query)
        if (
            wanted == query
            and len(composed) == len(names)
            and all(key == name for key, name in composed.items())
        ):
            raise
        try:
            return composed[_resolve_document(wanted, list(composed))]
        except UnknownDocument:
            pass
        raise


def _resolve_document(query: str, names: Sequence[str]) -> str:
    wanted = normalize_name(query)
    if not wanted:
        raise UnknownDocument("empty document name")
    if wanted in names:
        return wanted
    for key in (_basename, _stem):
        exact = [name for name in names if key(name) == wanted]
        if len(exact) == 1:
            return exact[0]
        if len(exact) > 1:
            raise _ambiguous(query, exact)
    matches = [
        name for name in names if name.startswith(wanted) or _basename(name).startswith(wanted)
    ]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        hint = "" if names else " (no documents are tracked yet)"
        raise UnknownDocument(f"no document matches {query!r}{hint}; `tracker docs` lists them")
    raise _ambiguous(query, matches)


def _ambiguous(query: str, matches: Sequence[str]) -> AmbiguousDocument:
    shown = ", ".join(sorted(matches)[:MAX_CANDIDATES_SHOWN])
    more = len(matches) - MAX_CANDIDATES_SHOWN
    tail = f" and {more} more" if more > 0 else ""
    return AmbiguousDocument(f"{query!r} matches {len(matches)} documents: {shown}{tail}")


class _Versioned(Protocol):
    version: int
    captured_at: str


V = TypeVar("V", bound=_Versioned)


#: What a version reference may be, said by every error about one that cannot be read.
VERSION_FORMS = "use v3, 3, first, latest, latest~2 or an ISO date"


def check_version_ref(ref: str) -> None:
    """Raise ValueError (saying what is accepted) unless ``ref`` reads as a version reference.

    Only its form: whether the version exists is for :func:`resolve_version`. The command line
    checks this as it reads its options, so that ``--at vv1`` is a usage error (exit 2).
    """
    text = ref.strip()
    if text.lower() in ("latest", "head", "first") or _RELATIVE.match(text) or _NUMBER.match(text):
        return
    try:
        if not looks_like_time(text):
            raise ValueError(text)
        parse_time(text, end_of_day=True)
    except ValueError:
        raise ValueError(f"cannot read version {text!r}: {VERSION_FORMS}") from None


def resolve_version(ref: str | int, versions: Sequence[V], doc: str = "document") -> V:
    """Pick the version named by ``v3``, ``3``, ``first``, ``latest``, ``HEAD~N`` or a date."""
    if not versions:
        raise UnknownVersion(f"{doc} has no versions")
    text = str(ref).strip()
    span = f"{doc} has v1..v{versions[-1].version}"
    lowered = text.lower()
    if lowered in ("latest", "head"):
        return versions[-1]
    if lowered == "first":
        return versions[0]
    relative = _RELATIVE.match(text)
    if relative:
        back = int(relative.group(1))
        if back >= len(versions):
            raise UnknownVersion(f"{text}: {span}, only {len(versions) - 1} before the latest")
        return versions[-1 - back]
    number = _NUMBER.match(text)
    if number:
        wanted = int(number.group(1))
        for version in versions:
            if version.version == wanted:
                return version
        raise UnknownVersion(f"no version {text} of {doc}: {span}")
    try:
        if not looks_like_time(text):
            raise ValueError(text)
        moment = to_iso(parse_time(text, end_of_day=True))
    except ValueError:
        raise UnknownVersion(f"cannot read version {text!r}: {VERSION_FORMS}") from None
    found = version_at(versions, moment)
    if found is None:
        earliest = min(versions, key=lambda version: (version.captured_at, version.version))
        raise UnknownVersion(
            f"{doc} has no version at or before {text}"
            f" (the earliest is v{earliest.version}, {earliest.captured_at})"
        )
    return found


class _Deletable(Protocol):
    version: int
    captured_at: str
    deleted: bool


def deletion_has_no_text(
    version: _Deletable, versions: Sequence[_Deletable], doc: str
) -> UnknownVersion:
    """The error for asking the text of a version that records a deletion; it names the last
    version before it with text, which is what the asker most likely wanted."""
    before = [v for v in versions if v.version < version.version and not v.deleted]
    last = (
        f"; its last text is v{before[-1].version} (--at v{before[-1].version})" if before else ""
    )
    return UnknownVersion(
        f"{doc} v{version.version} records its deletion ({version.captured_at}); it has no text"
        + last
    )


def resolve_start(ref: str | int, versions: Sequence[V], doc: str = "document") -> V | None:
    """The old end of a diff. A date or date-time means the text as it stood just before it (the
    latest version in time before its start; None if the document did not exist yet), so that a
    diff since a day shows the changes made that day, as ``timeline --since`` and the web's
    date ranges count them; any other reference is :func:`resolve_version`'s."""
    text = str(ref).strip()
    if not looks_like_time(text):
        return resolve_version(ref, versions, doc)
    try:
        moment = to_iso(parse_time(text))
    except ValueError:
        raise UnknownVersion(f"cannot read version {text!r}: {VERSION_FORMS}") from None
    return version_at([v for v in versions if v.captured_at < moment], moment)


def version_at(versions: Sequence[V], moment: str) -> V | None:
    """The version current at ``moment`` (a stored ISO time): the latest in time at or before it.

    Latest in time, not in number: imported histories can have times that go backwards. On a
    tie, the highest version number wins (the last one recorded at that instant).
    """
    current: V | None = None
    for version in versions:
        if version.captured_at <= moment and (
            current is None
            or (version.captured_at, version.version) >= (current.captured_at, current.version)
        ):
            current = version
    return current


def split_range(ref: str) -> tuple[str, str] | None:
    """Split ``v1..v3`` into its two ends; None when ``ref`` is not a range."""
    if ".." not in ref:
        return None
    since, until = ref.split("..", 1)
    return since or "first", until or "latest"


def name_problem(name: str) -> str | None:
    """Why document ``name`` cannot be written out as a file under a folder; None when it can.

    Refused: empty names, absolute paths and drive letters, ``..`` and ``.`` components, empty
    components (a leading, doubled or trailing ``/``), NUL and other control characters, and
    names that are not valid Unicode (a file name in another encoding reaches Python with lone
    surrogates in it, which SQLite cannot store).
    """
    if not name:
        return "an empty name is not allowed"
    clean = name.replace("\\", "/")
    parts = clean.split("/")
    if clean.startswith("/") or _DRIVE.match(clean) or ".." in parts:
        return "absolute paths and '..' are not allowed"
    if _CONTROL.search(name):
        return "NUL and other control characters are not allowed"
    if any(unicodedata.category(char) == "Cs" for char in name):
        return "it is not valid Unicode (a file name that is not UTF-8, or a lone surrogate)"
    if "." in parts:
        return "'.' is not allowed as a path component"
    if "" in parts:
        return "empty path components (a trailing or doubled '/') are not allowed"
    return None


def file_name_problem(name: str) -> str | None:
    """Why a file found in a folder (or a git tree) cannot become a document of that name (None
    if it can).

    The one name rule (:func:`name_problem`), and one more for names read from the disk or a
    repository: they are stored as they are, so a name that typing would change (leading or
    trailing spaces, a backslash in a POSIX name) would land on another file's history.
    """
    problem = name_problem(name)
    if problem is None and normalize_name(name) != name:
        problem = (
            f"it would be stored as {normalize_name(name)!r}: leading or trailing spaces"
            " and backslashes are not kept in names"
        )
    return problem


def name_matches(name: str, pattern: str | None) -> bool:
    """Whether a document's full name, its file name alone, or a folder it is in matches an
    fnmatch pattern: ``notes`` and ``notes/`` stand for everything in that folder, as a path
    does in git (``notes/*`` too, since ``*`` also matches ``/``)."""
    if pattern is None:
        return True
    if fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(posixpath.basename(name), pattern):
        return True
    folder = pattern.rstrip("/")
    return bool(folder) and fnmatch.fnmatchcase(name, folder + "/*")
