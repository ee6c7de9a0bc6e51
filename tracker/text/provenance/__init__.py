"""Word-level provenance: which version first introduced each word of a document.

Pure functions over strings and plain data (no I/O). A document's versions are attributed one
after the other: :func:`step` takes the previous version's attribution (a :class:`State`) and the
new version's paragraphs, and returns the new state and the new version's *runs*, so that each
version is attributed once, when it is recorded, and reading an attribution only loads runs.

Tokens and runs (:mod:`.runs`)
    :func:`tokenize` cuts a paragraph into words, runs of whitespace and single punctuation
    marks; a paragraph's *runs* are ``[[count, version], ...]``, its tokens' origins run-length
    encoded (see :func:`runs_to_tokens`).

What is attributed
    Words and punctuation marks (the *content* tokens) are matched; a whitespace token takes the
    origin of the content token before it (the first content token's, at the start of a
    paragraph), so that highlights cover "word, word" rather than stray spaces, and runs stay long.
    Matching ignores whitespace: rewrapping a paragraph changes nobody's words.

The rules (those of WikiWho, Flöck & Acosta, WWW 2014)
    * A word keeps its origin when its paragraph is moved, split or merged, or when the sentence
      around it is edited.
    * A paragraph or sentence that is deleted and later put back word for word (a revert) gets
      its *original* origins back, not the version that restored it, for as long as the
      document's memory holds it (:data:`MEMORY_LIMIT`).
    * A run of at least :data:`MIN_COPY_WORDS` words copied from anywhere in the previous version
      keeps the origins of the text it was copied from; shorter runs are new text (a common word
      or two is written, not copied).
    * Anything else that is not in the previous version is new: it gets the new version. In
      particular a word deleted and later put back inside a sentence that is not itself put back
      word for word is new again (as in WikiWho).

The algorithm of one step (after WikiWho: paragraphs, then sentences, then a token diff)
    1. Paragraphs the paragraph diff calls ``equal`` or unedited ``move`` keep their runs as they
       are (the runs list is shared, not copied): most of a version costs nothing
       (:mod:`.attribute`).
    2. A changed new paragraph whose exact text is another paragraph of the previous version is a
       copy of it and takes its runs; one whose text (whitespace aside) is in the memory is a
       restoration and takes the remembered origins (:mod:`.attribute`).
    3. An edited paragraph and the old one the paragraph diff paired it with (``modify`` or edited
       ``move``) share whole sentences at their head and tail: those keep the old runs, sliced by
       token count, and only the middle goes on (:mod:`.sentences`).
    4. Sentences (split after ``.``, ``!`` or ``?`` followed by whitespace, and before a line that
       starts with a punctuation mark, like a list bullet) are matched whole, by their text with
       whitespace normalized: first in the paired old paragraph, then in the other changed old
       paragraphs (a split, a merge, a sentence moved to another paragraph), then in the memory
       (a sentence put back). Away from the paired paragraph a sentence needs
       :data:`MIN_SENTENCE_WORDS` words. Steps 2-4 count tokens without tokenizing
       (:mod:`.matching`).
    5. The sentences left are tokenized (:mod:`.tokens`), and their tokens diffed (longest common
       subsequence) with those left in the paired old paragraph: an edit inside a sentence
       (:mod:`.edits`).
    6. Runs of at least :data:`MIN_MOVE_WORDS` words still left are looked up among the tokens
       left in all changed old paragraphs, in any order (text moved between paragraphs, a split
       or a merge that cut a sentence); then each new paragraph is diffed again with every old
       paragraph it took sentences or runs from, which finds the odd word such an edit leaves
       (:mod:`.edits`).
    7. Runs of at least :data:`MIN_COPY_WORDS` words still left are looked up in the whole
       previous version (copies); only then does the rest get the new version (:mod:`.copies`).

Old tokens matched by steps 3-6 are *consumed*: each old word continues in at most one place,
except through a copy (step 7) or the memory. Finally the sentences of the changed old
paragraphs that were not found whole go into the memory (:mod:`.memory`), which keeps removed
text for reverts, bounded to :data:`MEMORY_LIMIT` entries.

Cost
    A step costs time in proportion to the text that changed, not to the document. The token
    diff is rapidfuzz's (C++). The copy search keeps an index of the document's 4-word
    sequences in memory from state to state, never serialized: keep the :class:`State` object
    between versions of a document (see :mod:`.copies`).
"""

from .attribute import ChangeLike, replay, step
from .copies import MIN_COPY_WORDS
from .edits import MIN_MOVE_WORDS
from .matching import MIN_SENTENCE_WORDS
from .memory import MEMORY_LIMIT
from .runs import (
    TOKEN,
    Runs,
    check_runs,
    count_tokens,
    origins_to_runs,
    runs_to_origins,
    runs_to_tokens,
    spans,
    tokenize,
    tokens_to_runs,
)
from .state import STATE_FORMAT, State

__all__ = [
    "MEMORY_LIMIT",
    "MIN_COPY_WORDS",
    "MIN_MOVE_WORDS",
    "MIN_SENTENCE_WORDS",
    "STATE_FORMAT",
    "TOKEN",
    "ChangeLike",
    "Runs",
    "State",
    "check_runs",
    "count_tokens",
    "origins_to_runs",
    "replay",
    "runs_to_origins",
    "runs_to_tokens",
    "spans",
    "step",
    "tokenize",
    "tokens_to_runs",
]
