"""The diff command: what changed between two versions of a document."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from .. import refs
from ..render.words import comeback_words, line_safe, plural, short_time
from . import cli
from .common import (
    VERSION,
    color_option,
    count,
    db_option,
    echo_json,
    json_option,
    open_tracker,
    use_color,
)

if TYPE_CHECKING:
    from ..models import Version

LAYOUT_ONLY = (
    "no paragraph changed, only the layout: line endings, blank lines, a BOM or the final"
    " newline (--format unified shows the lines)"
)


def _meta(version: Version | None) -> dict | None:
    if version is None:
        return None
    return {
        "version": version.version,
        "captured_at": version.captured_at,
        "sha256": version.sha256,
        "deleted": version.deleted,
        "restored": version.restored,
        "recreated": version.recreated,
    }


def _comeback(version: Version, form: str = ", {}") -> str:
    """``, deleted`` for a version that records its document's deletion, ``, restored as v3``
    or ``, re-created`` for one that brought it back (as ``form`` puts them); else nothing."""
    back = "deleted" if version.deleted else comeback_words(version.restored, version.recreated)
    return form.format(back) if back else ""


def _label(doc: str, version: Version | None) -> str:
    """``notes.txt v3 (2026-01-03 00:00:00, re-created)``: the name escaped, as every list does
    (a database from an older tracker may hold a name with control characters)."""
    doc = line_safe(doc)
    if version is None:
        return f"{doc} (nothing)"
    return f"{doc} v{version.version} ({short_time(version.captured_at)}{_comeback(version)})"


def _split_note(counts: dict[str, int]) -> str:
    """The counts' note on splits and merges, e.g. " (1 split off, 2 merged)"; "" if none."""
    notes = []
    if counts["split"]:
        notes.append(f"{counts['split']} split off")
    if counts["merged"]:
        notes.append(f"{counts['merged']} merged")
    return f" ({', '.join(notes)})" if notes else ""


def _ignored(value: str | None) -> frozenset[str]:
    """The classes --ignore names (a usage error for an unknown one)."""
    if not value:
        return frozenset()
    from ..text.classes import parse_ignore

    try:
        return parse_ignore(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _hidden_note(hidden: int) -> str:
    """``; 12 minor changes hidden`` (nothing when none were)."""
    return f"; {plural(hidden, 'minor change')} hidden" if hidden else ""


@cli.command()
@click.argument("doc")
@click.argument("range_", metavar="[RANGE]", required=False)
@click.option(
    "--since",
    type=VERSION,
    help="Old version (default: the one before --until); a date or date-time: the text just"
    " before it, so that the changes made then are shown.",
)
@click.option(
    "--until",
    type=VERSION,
    help="New version (default: latest); a date or date-time: the text as it stood then (a"
    " date: at the day's end).",
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(["text", "json", "unified", "html", "markdown"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--context",
    type=count(0),
    default=1,
    show_default=True,
    help="Unchanged paragraphs shown around each change.",
)
@click.option("--full", is_flag=True, help="Show every paragraph, changed or not.")
@click.option("--stat", is_flag=True, help="Only the counts.")
@color_option("Colour the text format (auto: on a terminal, no NO_COLOR).")
@click.option(
    "--granularity",
    type=click.Choice(["word", "char"]),
    default="word",
    show_default=True,
    help="Unit of the highlights inside a rewritten paragraph.",
)
@click.option(
    "--ignore-whitespace",
    "-w",
    is_flag=True,
    help="Paragraphs differing only in whitespace count as unchanged.",
)
@click.option(
    "--ignore",
    "ignore",
    metavar="CLASSES",
    callback=lambda ctx, param, value: _ignored(value),
    help="Hide these classes of change, comma-separated: whitespace, punctuation, case, numbers,"
    " volatile, moved, or minor (all of them).",
)
@click.option(
    "--layout",
    type=click.Choice(["inline", "side-by-side"]),
    default="inline",
    show_default=True,
    help="HTML layout.",
)
@db_option
@json_option
def diff(
    doc,
    range_,
    since,
    until,
    format_,
    context,
    full,
    stat,
    color,
    granularity,
    ignore_whitespace,
    ignore,
    layout,
    db_path,
    as_json,
):
    """Show what changed in DOC between two versions, paragraph by paragraph.

    Paragraphs added, removed, modified (with the changed words marked) and moved.
    RANGE is `v1..v3`; `v2..` runs to the latest version and `..v3` from the first one. A
    single reference is the old version, compared with the latest. Without any, the latest
    version is compared with the one before it.

    Example:

        tracker diff 000 --since v1

        tracker diff 000 v1..v3 --format html > changes.html
    """
    if as_json:  # as for blame: --json is --format json
        format_ = "json"
    if range_:
        if since or until:
            raise click.UsageError("give either RANGE or --since/--until, not both")
        ends = refs.split_range(range_)
        since, until = ends if ends else (range_, None)
        for end in (since, until):
            try:
                refs.check_version_ref(end or "latest")
            except ValueError as error:
                raise click.BadParameter(str(error), param_hint="'[RANGE]'") from None
    if stat and format_ in ("unified", "html", "markdown"):
        raise click.UsageError(f"--stat prints text or json, not --format {format_}")
    if ignore and format_ == "unified":
        raise click.UsageError("--ignore does not apply to --format unified (a diff of the bytes)")
    with open_tracker(db_path) as tracker:
        result = tracker.diff(
            doc,
            since=since,
            until=until,
            granularity=granularity,
            ignore_whitespace=ignore_whitespace,
            ignore=ignore,
        )
    from ..render.html import render_html
    from ..render.json import diff_json
    from ..render.markdown import render_markdown
    from ..render.text import render_text
    from ..render.unified import render_unified
    from ..text.diff import stats

    counts = stats(result.changes)
    old_meta, new_meta = _meta(result.old), _meta(result.new)
    if format_ == "json":
        data = diff_json(result.doc, old_meta, new_meta, result.changes, result.hidden)
    if stat:
        if format_ == "json":  # the same "from" and "to" as the whole diff's
            echo_json({key: value for key, value in data.items() if key != "paragraphs"})
        else:
            click.echo(
                f"{_label(result.doc, result.old)} -> v{result.new.version}"
                f"{_comeback(result.new, ' ({})')}: "
                f"+{counts['added']} -{counts['removed']} ~{counts['modified']} "
                f"moved {counts['moved']}, {counts['unchanged']} unchanged"
                + _split_note(counts)
                + _hidden_note(result.hidden)
                + ("; only the layout changed" if result.layout_only else "")
            )
        return
    if format_ == "json":
        echo_json(data)
    elif format_ == "unified":
        click.echo(
            render_unified(
                result.old_text,
                result.new_text,
                _label(result.doc, result.old),
                _label(result.doc, result.new),
            ),
            nl=False,
        )
    elif format_ == "html":
        click.echo(
            render_html(
                result.doc,
                old_meta,
                new_meta,
                result.changes,
                context=context,
                full=full,
                layout=layout,
                hidden=result.hidden,
            )
        )
    elif format_ == "markdown":
        click.echo(
            render_markdown(
                result.doc,
                old_meta,
                new_meta,
                result.changes,
                context=context,
                full=full,
                hidden=result.hidden,
            )
        )
    else:
        colored = use_color(color)
        header = f"{_label(result.doc, result.old)} -> {_label(result.doc, result.new)}"
        click.echo(click.style(header, bold=True) if colored else header)
        body = render_text(result.changes, context=context, full=full, color=colored)
        click.echo(body, nl=not body.endswith("\n"), color=colored)
        if result.layout_only:
            click.echo(LAYOUT_ONLY)
        if result.hidden:
            click.echo(_hidden_note(result.hidden).lstrip("; "))
