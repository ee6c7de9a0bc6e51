"""The state carried from one version of a document to the next, and its JSON form.

A store keeps the latest state of each document (:meth:`State.to_json`) so that attributing the
next version costs only what changed (see :func:`tracker.text.provenance.step`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .runs import Runs, check_runs

#: Version of the state's JSON shape, checked by :meth:`State.from_json`.
STATE_FORMAT = 1


@dataclass
class State:
    """What attributing the next version needs: the latest version's runs and the memory.

    ``runs`` holds one runs list per paragraph of version ``version`` (whose paragraphs hold
    ``chars`` characters in all, a cheap check that the caller passes the matching text);
    ``memory`` maps the key of a removed sentence (or paragraph) to the runs of its tokens,
    without whitespace at its ends, oldest removal first (see
    :mod:`tracker.text.provenance.memory`). Runs lists are shared between states and results:
    treat them as read-only.
    """

    version: int = 0
    chars: int = 0
    runs: list[Runs] = field(default_factory=list)
    memory: dict[str, Runs] = field(default_factory=dict)
    #: Transient index of (at least) the 4-word sequences of version ``version``, as hashes, for
    #: the copy search; moved from state to state by :func:`step`, never serialized.
    _grams: set[int] | None = field(default=None, init=False, compare=False, repr=False)

    def take_index(self) -> set[int] | None:
        """Take this state's copy-search index away (it keeps none): the step from this state
        updates it and hands it to the next state, instead of building it again."""
        grams, self._grams = self._grams, None
        return grams

    def keep_index(self, grams: set[int] | None) -> None:
        """Keep a copy-search index for the next step (see :meth:`take_index`)."""
        self._grams = grams

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able data (see :meth:`from_json`); ``json.dumps`` it compactly to store."""
        return {
            "format": STATE_FORMAT,
            "version": self.version,
            "chars": self.chars,
            "runs": self.runs,
            "memory": [[key, origins] for key, origins in self.memory.items()],
        }

    @classmethod
    def from_json(cls, data: Any) -> State:
        """Rebuild a state from :meth:`to_json`'s data, checking its shape (ValueError if bad)."""
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            raise ValueError(f"not a provenance state of format {STATE_FORMAT}")
        version, chars = data.get("version"), data.get("chars")
        if type(version) is not int or version < 0 or type(chars) is not int or chars < 0:
            raise ValueError("bad version or chars in provenance state")
        runs = data.get("runs")
        if not isinstance(runs, list):
            raise ValueError("bad runs in provenance state")
        for r in runs:
            check_runs(r)
        memory: dict[str, Runs] = {}
        entries = data.get("memory")
        if not isinstance(entries, list):
            raise ValueError("bad memory in provenance state")
        for entry in entries:
            if not isinstance(entry, list) or len(entry) != 2 or not isinstance(entry[0], str):
                raise ValueError(f"bad memory entry {entry!r}")
            check_runs(entry[1])
            memory[entry[0]] = entry[1]
        return cls(version, chars, runs, memory)
