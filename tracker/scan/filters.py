"""Which paths in a watched or scanned folder are documents: pure functions, no watchdog, no I/O.

Shared by the folder scanner (:mod:`tracker.scan.files`) and the watcher (:mod:`tracker.watch`) so
that a snapshot and a live watch agree on what is a document and what is editor clutter.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Sequence

__all__ = [
    "IGNORED_NAMES",
    "IGNORED_PATTERNS",
    "TEXT_SUFFIXES",
    "has_text_suffix",
    "is_ignored_name",
    "is_ignored_path",
    "is_watched",
    "is_watched_dir",
]

#: File name suffixes (lower case, with the dot) of text-like documents watched by default.
#: Names without any suffix (``README``, ``NOTES``) are watched too. Passing ``include`` globs
#: replaces this filter.
TEXT_SUFFIXES: frozenset[str] = frozenset(
    {
        # plain text and lightweight markup
        ".txt", ".text", ".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".rst", ".rest",
        ".adoc", ".asciidoc", ".org", ".textile", ".wiki", ".mediawiki", ".creole", ".pod",
        ".tex", ".latex", ".ltx", ".bib", ".fountain", ".nfo",
        # markup and data
        ".html", ".htm", ".xhtml", ".xml", ".svg", ".json", ".jsonl", ".ndjson", ".csv", ".tsv",
        ".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf", ".properties",
        # logs, subtitles, translations
        ".log", ".srt", ".vtt", ".sbv", ".po", ".pot",
    }
)  # fmt: skip

#: Exact file or folder names (compared in lower case) that are never documents: vim's write
#: test file ``4913`` and operating system clutter.
IGNORED_NAMES: frozenset[str] = frozenset({"4913", "thumbs.db", "desktop.ini"})

#: Globs (matched in lower case against every path component) for hidden files and folders,
#: editor swap, backup and lock files, and partial downloads.
IGNORED_PATTERNS: tuple[str, ...] = (
    ".*",  # hidden; also .*.swp .*.swx .*.swo (vim), .#name (emacs lock), .goutputstream-*
    "*~",  # backups of vim, emacs, gedit, nano
    "#*#",  # emacs auto-save
    "*.swp",
    "*.swx",
    "*.swo",
    "*.kate-swp",
    "~$*",  # office lock files
    "*.tmp",
    "*.temp",
    "*.part",
    "*.partial",
    "*.crdownload",
    "*.crswap",
)

_IGNORED_RE = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in IGNORED_PATTERNS))


def _ends(patterns: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The first characters and the endings a name needs to match any of the patterns, when
    each is a literal start (``.*``, ``#*#``) or ``*`` then a literal end (``*.tmp``); else None.
    A name that has neither cannot match, and needs no regular expression (a scan asks this
    of every file)."""
    starts, ends = [], []
    for pattern in patterns:
        if pattern[0] not in "*?[":
            starts.append(pattern[0])
        elif pattern[0] == "*" and not any(c in "*?[" for c in pattern[1:]):
            ends.append(pattern[1:])
        else:
            return None
    return tuple(starts), tuple(ends)


_CANDIDATES = _ends(IGNORED_PATTERNS)


def is_ignored_name(name: str) -> bool:
    """Tell whether one path component is hidden or an editor/temp file, never a document."""
    lower = name.lower()
    if lower in IGNORED_NAMES:
        return True
    if _CANDIDATES is not None and not (
        lower.startswith(_CANDIDATES[0]) or lower.endswith(_CANDIDATES[1])
    ):
        return False
    return _IGNORED_RE.match(lower) is not None


def has_text_suffix(name: str) -> bool:
    """Tell whether a file name looks like a text document: no suffix or one in TEXT_SUFFIXES."""
    suffix = os.path.splitext(name)[1]
    return suffix == "" or suffix.lower() in TEXT_SUFFIXES


def _split(relpath: str) -> list[str]:
    """Cut a relative path into its components, accepting ``./`` and OS separators."""
    if os.sep != "/":
        relpath = relpath.replace(os.sep, "/")
    return [part for part in relpath.split("/") if part not in ("", ".")]


def is_ignored_path(relpath: str) -> bool:
    """Tell whether any component of a relative path is hidden or an editor/temp name."""
    parts = _split(relpath)
    return not parts or any(is_ignored_name(part) for part in parts)


def _excluded(parts: list[str], exclude: Sequence[str]) -> bool:
    """Tell whether an exclude glob matches the path, a parent folder path, or any component."""
    for i in range(len(parts)):
        prefix = "/".join(parts[: i + 1])
        for glob in exclude:
            if fnmatch.fnmatch(prefix, glob) or fnmatch.fnmatch(parts[i], glob):
                return True
    return False


def is_watched(relpath: str, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> bool:
    """Tell whether a file (POSIX path relative to the root) is a document to track.

    A path is rejected when any component is ignored (:func:`is_ignored_name`). Otherwise, with
    no ``include`` globs, the file name must pass :func:`has_text_suffix`; with ``include`` globs,
    one must match the relative path or the file name instead. Finally ``exclude`` globs remove
    paths where one matches the relative path, the path of a parent folder, or any component
    name, so ``exclude=["drafts"]`` drops everything under ``drafts/``. Globs use
    :func:`fnmatch.fnmatch` (``*`` also crosses ``/``).
    """
    parts = _split(relpath)
    if not parts or any(is_ignored_name(part) for part in parts):
        return False
    name = parts[-1]
    if include:
        rel = "/".join(parts)
        if not any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(name, g) for g in include):
            return False
    elif not has_text_suffix(name):
        return False
    return not (exclude and _excluded(parts, exclude))


def is_watched_dir(relpath: str, exclude: Sequence[str] = ()) -> bool:
    """Tell whether a folder may hold watched files, so scanners can prune the others early."""
    parts = _split(relpath)
    if not parts:
        return True  # the root itself
    if any(is_ignored_name(part) for part in parts):
        return False
    return not (exclude and _excluded(parts, exclude))
