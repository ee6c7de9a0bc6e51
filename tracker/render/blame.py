"""Word blame for people: every word of a version shaded by the age of the version that wrote it.

Pure functions from :class:`tracker.models.WordBlame` to text (plain or ANSI) and HTML; document
text is escaped (control characters on a terminal, markup in HTML); the HTML needs no script.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..models import Version, WordBlame
from .html import escape_html
from .text import terminal_safe
from .words import human_time

#: ANSI 256-colour backgrounds from oldest to newest (greys, then warmer as text gets newer).
_ANSI_AGES = (236, 238, 24, 30, 64, 136, 166, 160)
#: How many shades of age there are (the HTML page has as many, ``.age0`` to ``.age7``).
AGES = len(_ANSI_AGES)


def age_buckets(versions: Sequence[Version], wanted: Sequence[int]) -> list[tuple[int, int]]:
    """Cut the document's version numbers into at most :data:`AGES` consecutive ranges,
    oldest first, so each colour stands for a similar share of the versions that wrote words."""
    numbers = sorted(set(wanted))
    if not numbers:
        return []
    size = max(1, -(-len(numbers) // AGES))  # ceiling division
    return [(chunk[0], chunk[-1]) for chunk in _chunks(numbers, size)]


def _chunks(items: list[int], size: int) -> list[list[int]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _bucket(buckets: list[tuple[int, int]], version: int) -> int:
    for k, (low, high) in enumerate(buckets):
        if low <= version <= high:
            return k
    return len(buckets) - 1


def _label(low: int, high: int) -> str:
    return f"v{low}" if low == high else f"v{low}-v{high}"


def spans(tokens: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Consecutive tokens of one version joined: (text, version) runs of a paragraph."""
    out: list[tuple[str, int]] = []
    for text, version in tokens:
        if out and out[-1][1] == version:
            out[-1] = (out[-1][0] + text, version)
        else:
            out.append((text, version))
    return out


def render_word_blame_text(blame: WordBlame, *, color: bool = False) -> str:
    """Each paragraph, numbered; with ``color`` its words on a background per age (a legend
    first), otherwise followed by its runs: ``v1: "The end of" v7: "the US-Russia"``."""
    used = [version for tokens in blame.paragraphs for _, version in tokens]
    buckets = age_buckets(blame.versions, used)
    lines = []
    if color and buckets:
        legend = " ".join(
            f"\x1b[48;5;{_ANSI_AGES[_color(k, len(buckets))]}m {_label(*b)} \x1b[0m"
            for k, b in enumerate(buckets)
        )
        lines.append(f"oldest {legend} newest")
    for index, tokens in enumerate(blame.paragraphs, start=1):
        head = f"[{index}] "
        if color:
            parts = []
            for text, version in spans(tokens):
                shade = _ANSI_AGES[_color(_bucket(buckets, version), len(buckets))]
                parts.append(f"\x1b[48;5;{shade};97m{terminal_safe(text)}\x1b[0m")
            lines.append(head + "".join(parts))
            continue
        lines.append(head + terminal_safe("".join(text for text, _ in tokens)))
        runs = [
            f'v{version}: "{terminal_safe(" ".join(text.split()))}"'
            for text, version in spans(tokens)
            if text.strip()
        ]
        lines.append(" " * len(head) + " ".join(runs))
    return "\n".join(lines)


def _color(k: int, count: int) -> int:
    """The palette index of bucket k of ``count``: spread over the whole palette."""
    if count <= 1:
        return len(_ANSI_AGES) - 1
    return round(k * (len(_ANSI_AGES) - 1) / (count - 1))


#: Styles of the word-blame page: a background per age, lighter for older text, and at the start
#: of each run of words a small label naming its version, so that the colours are never the only
#: way to tell (a screen reader reads "v2 wrote: ..."; forced colours drop the backgrounds).
BLAME_CSS = """\
.tracker-words{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;line-height:1.8}
.tracker-words p{margin:.6em 0;white-space:pre-wrap;overflow-wrap:anywhere}
.tracker-words .num{color:#656d76;font-variant-numeric:tabular-nums;margin-right:.5em}
.tracker-words .run{border-radius:2px}
.tracker-words .ver{font-size:.72em;font-weight:600;white-space:nowrap;padding:0 .3em;
  margin:0 .25em 0 .15em;border:1px solid #8c959f;border-radius:3px;background:#fff;color:#1f2328;
  vertical-align:.1em;user-select:none}
.tracker-words .sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;
  clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap;border:0}
.tracker-words .age0{background:#f6f8fa}.tracker-words .age1{background:#eaeef2}
.tracker-words .age2{background:#ddf4ff}.tracker-words .age3{background:#b6e3ff}
.tracker-words .age4{background:#dafbe1}.tracker-words .age5{background:#fff8c5}
.tracker-words .age6{background:#ffd8b5}.tracker-words .age7{background:#ffcecb}
.tracker-words .legend{display:flex;flex-wrap:wrap;gap:.2em 1.1em;list-style:none;padding:0;
  margin:.4em 0 1em;font-size:.9em}
.tracker-words .legend li{margin:0;display:flex;align-items:center;gap:.35em;white-space:nowrap}
.tracker-words .swatch{display:inline-block;width:1.1em;height:1.1em;border-radius:2px;
  border:1px solid #8c959f}
.tracker-words .legend-head{margin:.6em 0 0;font-size:.9em}
.tracker-words .key li{white-space:normal;flex-wrap:wrap}
.tracker-words .range{font-weight:600}
.tracker-words .legend-all{margin:-.6em 0 1em}
.tracker-words .legend-all summary{font-size:.9em;cursor:pointer;width:max-content;max-width:100%}
.tracker-words .legend-all .legend{margin-top:.2em}
@media (prefers-color-scheme:dark){
.tracker-words{color:#e6edf3}
.tracker-words .num{color:#9da7b3}
.tracker-words .ver{background:#0d1117;color:#e6edf3;border-color:#6e7681}
.tracker-words .age0{background:#161b22}.tracker-words .age1{background:#21262d}
.tracker-words .age2{background:#0c2d6b}.tracker-words .age3{background:#0a3069}
.tracker-words .age4{background:#033a16}.tracker-words .age5{background:#4b2900}
.tracker-words .age6{background:#5a1e02}.tracker-words .age7{background:#67060c}}
@media (forced-colors:active){
/* the backgrounds are gone: the labels, boxed in the text colour, tell the versions apart */
.tracker-words .ver{border-color:CanvasText}
.tracker-words .swatch{forced-color-adjust:none;border-color:CanvasText}}
"""


def reading_runs(tokens: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """The runs of a paragraph as a reader gets them: white space alone never starts a run (it
    goes with the run before), so that a label never stands before a blank; joins the text."""
    out: list[tuple[str, int]] = []
    for text, version in spans(tokens):
        if out:
            lead = text[: len(text) - len(text.lstrip())]
            if lead:  # leading blanks end the run before instead
                out[-1] = (out[-1][0] + lead, out[-1][1])
                text = text[len(lead) :]
            if not text:
                continue
            if out[-1][1] == version:
                out[-1] = (out[-1][0] + text, version)
                continue
        out.append((text, version))
    return out


#: Past this many versions in the text, their list is folded away under the colour key (a
#: document with a long history would otherwise open on screens of dates before its text).
LEGEND_OPEN = 20


def _time_html(when: str | None) -> str:
    if not when:
        return ""
    return (
        f'<time datetime="{escape_html(when)}">'
        f"{escape_html(human_time(when, with_time=False))}</time>"
    )


def _share(part: int, whole: int) -> str:
    """``41%`` of the words; ``<1%`` rather than a share of nothing."""
    if not whole or not part:
        return "0%"
    percent = round(100 * part / whole)
    return f"{percent}%" if percent else "<1%"


def _legend(
    blame: WordBlame,
    used: list[int],
    buckets: list[tuple[int, int]],
    link: Callable[[int], str] | None,
) -> list[str]:
    """The legend: each version's colour, label, date and link; when versions share colours, a
    key of the colours first (each with its versions, dates and share of the words) and the
    versions after it, folded away past :data:`LEGEND_OPEN` of them."""
    dates = {v.version: v.captured_at for v in blame.versions}

    def age(version: int) -> int:
        return _color(_bucket(buckets, version), len(buckets))

    items = []
    for version in used:
        name = escape_html(f"v{version}")
        if link is not None:
            name = f'<a href="{escape_html(link(version))}">{name}</a>'
        date = _time_html(dates.get(version))
        items.append(
            f'<li><span class="swatch age{age(version)}" aria-hidden="true"></span>'
            f"{name}{' ' + date if date else ''}</li>"
        )
    versions = f'<ul class="legend" aria-labelledby="words-legend">{"".join(items)}</ul>'
    if len(used) <= AGES:
        head = '<p class="legend-head" id="words-legend">Versions, oldest first:</p>'
        return [head, versions]
    words: dict[int, int] = {}
    for tokens in blame.paragraphs:
        for text, version in tokens:
            if text.strip():
                words[version] = words.get(version, 0) + 1
    total = sum(words.values())
    bands = []
    for k, (low, high) in enumerate(buckets):
        first, last = dates.get(low) or "", dates.get(high) or ""
        when = _time_html(first or last)
        if first and last and first[:10] != last[:10]:
            when += f" \N{EN DASH} {_time_html(last)}"
        label = f"v{low}" if low == high else f"v{low}\N{EN DASH}v{high}"
        share = _share(sum(n for v, n in words.items() if low <= v <= high), total)
        bands.append(
            f'<li><span class="swatch age{_color(k, len(buckets))}" aria-hidden="true"></span>'
            f'<span class="range">{label}</span>{" " + when if when else ""}'
            f' <span class="share">({share}<span class="sr"> of the words</span>)</span></li>'
        )
    opened = " open" if len(used) <= LEGEND_OPEN else ""
    what = "dates and changes" if link is not None else "dates"
    return [
        '<p class="legend-head" id="words-key">Colours, oldest first, with their share of the '
        "words:</p>",
        f'<ul class="legend key" aria-labelledby="words-key">{"".join(bands)}</ul>',
        f'<details class="legend-all"{opened}><summary id="words-legend">'
        f"All {len(used)} versions in this text, with {what}</summary>"
        f"{versions}</details>",
    ]


def render_word_blame_fragment(blame: WordBlame, link: Callable[[int], str] | None = None) -> str:
    """The version's paragraphs as HTML: each run of words shaded by its age and led by a label
    naming its version (the version and date also on hover); first a legend pairing each
    version's colour with its label, its date and (``link``: its URL) a link. No script."""
    dates = {v.version: v.captured_at for v in blame.versions}
    paragraphs = [reading_runs(tokens) for tokens in blame.paragraphs]
    # the versions a reader sees labelled (one that wrote only blanks has no label)
    used = sorted({version for runs in paragraphs for _, version in runs})
    buckets = age_buckets(blame.versions, used)

    def age(version: int) -> int:
        return _color(_bucket(buckets, version), len(buckets))

    parts = ['<div class="tracker-words">']
    if used:
        parts.extend(_legend(blame, used, buckets, link))
    for index, paragraph in enumerate(paragraphs, start=1):
        runs = []
        for text, version in paragraph:
            when = (dates.get(version) or "")[:10]
            title = f"v{version}, {when}" if when else f"v{version}"
            # the hidden words keep a screen reader from running the label into the words
            # around it ("in itv2"): it reads "... in it v2 wrote: , and ..."
            label = (
                f'<span class="ver"><span class="sr"> </span>v{version}'
                '<span class="sr"> wrote: </span></span>'
            )
            runs.append(
                f'<span class="run age{age(version)}" title="{escape_html(title)}">'
                f"{label}{escape_html(text)}</span>"
            )
        parts.append(f'<p id="p{index}"><span class="num">{index}</span>{"".join(runs)}</p>')
    parts.append("</div>")
    return "\n".join(parts)


def render_word_blame_html(blame: WordBlame) -> str:
    """A self-contained page of :func:`render_word_blame_fragment` (inline CSS, no script)."""
    title = f"Who wrote {blame.doc} v{blame.version.version}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape_html(title)}</title>\n<style>\n{BLAME_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n<h1>{escape_html(title)}</h1>\n"
        f"{render_word_blame_fragment(blame)}\n</main>\n</body>\n</html>\n"
    )
