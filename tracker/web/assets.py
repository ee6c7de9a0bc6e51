"""The plugin's static files (stylesheets, the diff page's script) and the short hash of each,
added to its URL so that a browser fetches a new version instead of a cached one."""

from __future__ import annotations

import hashlib
from importlib.resources import files

from .cells import CSS


def _static(name: str) -> str:
    return (files(__package__) / "static" / name).read_text(encoding="utf-8")


#: The static files: name, content type, text.
STATIC = {
    "tracker.css": ("text/css", CSS),
    "tracker.js": ("text/javascript", _static("tracker.js")),
    "feed.css": ("text/css", _static("feed.css")),
}

#: A short hash of each static file, added to its URL so that a new version is fetched.
VERSIONS = {
    name: hashlib.sha256(text.encode()).hexdigest()[:8] for name, (_, text) in STATIC.items()
}


def asset_path(name: str) -> str:
    """The path of a static file, with its version: ``/-/tracker/tracker.js?v=1a2b3c4d``."""
    return f"/-/tracker/{name}?v={VERSIONS[name]}"
