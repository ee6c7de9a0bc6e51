"""Small inline SVG charts: a document's activity sparkline and its timeline of versions.

Plain markup built from numbers, dates and escaped text, styled by the plugin's stylesheet
(colours come from CSS, so dark mode applies); no script, no external asset.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime, timezone

from ..models import VersionSummary
from ..render.html import escape_html
from ..render.words import counts_words, human_time, plural
from ..times import parse_time

#: Most marks a timeline draws; past it, versions close in time share a mark.
TIMELINE_SLOTS = 500
TIMELINE_WIDTH, TIMELINE_HEIGHT = 1000, 64


def sparkline(buckets: Sequence[int], label: str, width: int = 120, height: int = 22) -> str:
    """Bars of activity per slice of time (``label`` says what they count, for screen readers
    and as the tooltip)."""
    top = max(buckets, default=0)
    step = width / max(1, len(buckets))
    bars = []
    for k, n in enumerate(buckets):
        if not n:
            continue
        h = max(2.0, (height - 2) * math.sqrt(n / top))
        bars.append(
            f'<rect x="{k * step:.1f}" y="{height - h:.1f}" width="{max(1.0, step - 1):.1f}"'
            f' height="{h:.1f}"/>'
        )
    return (
        f'<svg class="tracker-spark" viewBox="0 0 {width} {height}" width="{width}"'
        f' height="{height}" role="img" aria-label="{escape_html(label)}">'
        f'<title>{escape_html(label)}</title><line x1="0" y1="{height - 0.5}" x2="{width}"'
        f' y2="{height - 0.5}"/>{"".join(bars)}</svg>'
    )


def _seconds(iso: str) -> float:
    return parse_time(iso).timestamp()


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def _at(year: int, month: int = 1) -> float:
    return datetime(year, month, 1, tzinfo=timezone.utc).timestamp()


def _ticks(start: float, end: float) -> list[tuple[float, str]]:
    """Round moments between start and end (epoch seconds) to label an axis: years, or months,
    or days, whichever gives a few (at most ten) of them."""
    first, last = _utc(start), _utc(end)
    years = last.year - first.year
    if years >= 2:
        step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if years / s <= 10)
        first_year = (first.year // step + 1) * step
        return [(_at(year), str(year)) for year in range(first_year, last.year + 1, step)]
    months = years * 12 + last.month - first.month
    out: list[tuple[float, str]] = []
    if months >= 2:
        step = next(s for s in (1, 2, 3, 6) if months / s <= 10)
        for k in range(1, months + 1):
            year, month = first.year + (first.month - 1 + k) // 12, (first.month - 1 + k) % 12 + 1
            if (month - 1) % step == 0:
                label = _utc(_at(year, month)).strftime("%b %Y" if month == 1 or not out else "%b")
                out.append((_at(year, month), label))
        return out
    day = 86400.0
    step_days = next((s for s in (1, 2, 7, 14) if (end - start) / day / s <= 10), 28)
    moment = math.ceil(start / day) * day
    while moment <= end:
        out.append((moment, f"{_utc(moment).day} {_utc(moment).strftime('%b')}"))
        moment += step_days * day
    return out


def timeline(
    versions: Sequence[VersionSummary],
    start: str,
    end: str,
    href: Callable[[VersionSummary, VersionSummary], str],
) -> str:
    """One mark per version between ``start`` and ``end`` (stored times), placed by date and
    sized by how many paragraphs it changed; minor ones grey, deletions red. Each mark links to
    ``href(first, last)``: the diff of that version (first is last), or of the versions sharing
    a mark when there are more than :data:`TIMELINE_SLOTS` of them."""
    t0, t1 = _seconds(start), _seconds(end)
    span = max(t1 - t0, 1.0)
    w, h = TIMELINE_WIDTH, TIMELINE_HEIGHT
    pad = 14
    slots: dict[int, list[VersionSummary]] = {}
    for version in versions:
        x = (_seconds(version.captured_at) - t0) / span
        slots.setdefault(round(min(1.0, max(0.0, x)) * (TIMELINE_SLOTS - 1)), []).append(version)
    top = max((sum(v.changed for v in group) for group in slots.values()), default=1) or 1
    marks = []
    middle = (h - 18) / 2 + 2
    for slot, group in sorted(slots.items()):
        x = pad + slot / (TIMELINE_SLOTS - 1) * (w - 2 * pad)
        changed = sum(v.changed for v in group)
        r = 2.5 + 9 * math.sqrt(changed / top)
        kind = (
            "deleted"
            if any(v.deleted for v in group)
            else (
                "minor"
                if all(v.minor or not (v.changed or v.came_back) for v in group)
                else "change"
            )
        )
        first, last = group[0], group[-1]
        if len(group) == 1:
            title = f"v{first.version}, {human_time(first.captured_at)}: {counts_words(first)}"
        else:
            title = (
                f"v{first.version}–v{last.version} ({plural(len(group), 'version')}),"
                f" {human_time(first.captured_at, with_time=False)}:"
                f" {plural(changed, 'paragraph')} changed"
            )
        marks.append(
            f'<a href="{escape_html(href(first, last))}" aria-label="{escape_html(title)}">'
            f'<circle class="{kind}" cx="{x:.1f}"'
            f' cy="{middle:.1f}" r="{r:.1f}"><title>{escape_html(title)}</title></circle></a>'
        )
    axis_y = h - 14
    ticks = []
    for moment, label in _ticks(t0, t1):
        x = pad + (moment - t0) / span * (w - 2 * pad)
        if pad <= x <= w - pad:
            ticks.append(
                f'<line class="tick" x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 4}"/>'
                f'<text x="{x:.1f}" y="{h - 1}" aria-hidden="true">{escape_html(label)}</text>'
            )
    label = f"{plural(len(versions), 'version')} from {human_time(start, with_time=False)} to"
    label += f" {human_time(end, with_time=False)}"
    # a group, not an image: an image's content is hidden from screen readers, and these
    # marks are links
    return (
        f'<svg class="tracker-timeline" viewBox="0 0 {w} {h}" width="100%" role="group"'
        f' aria-label="{escape_html(label)}">'
        f'<line class="axis" x1="{pad}" y1="{axis_y}" x2="{w - pad}" y2="{axis_y}"/>'
        f"{''.join(ticks)}{''.join(marks)}</svg>"
    )
