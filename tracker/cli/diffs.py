"""The diff and blame commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from .. import refs
from ..render.words import comeback_words, plural, short_time
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
        "restored": version.restored,
        "recreated": version.recreated,
    }


def _comeback(version: Version, form: str = ", {}") -> str:
    """``, restored as v3`` or ``, re-created`` (as ``form`` puts them) for a version that
    brought its document back after a deletion; nothing for any other version."""
    back = comeback_words(version.restored, version.recreated)
    return form.format(back) if back else ""


def _label(doc: str, version: Version | None) -> str:
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
@click.option("--since", type=VERSION, help="Old version (default: the one before --until).")
@click.option("--until", type=VERSION, help="New version (default: latest).")
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
    if stat:
        if format_ == "json":
            echo_json(
                {
                    "doc": result.doc,
                    "from": old_meta,
                    "to": new_meta,
                    "stats": counts,
                    "hidden": result.hidden,
                }
            )
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
        echo_json(diff_json(result.doc, old_meta, new_meta, result.changes, result.hidden))
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


@cli.command()
@click.argument("doc")
@click.option(
    "--at", type=VERSION, default="latest", show_default=True, help="Version to annotate."
)
@click.option("--words", is_flag=True, help="Attribute every word, not every paragraph.")
@click.option(
    "--format",
    "format_",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="Output format (html: with --words, a page with words shaded by age).",
)
@color_option("Colour words by age with --words (auto: on a terminal, no NO_COLOR).")
@db_option
@json_option
def blame(doc, at, words, format_, color, db_path, as_json):
    """Show each paragraph of DOC with the version in which it took its present text.

    A paragraph that only moved keeps its origin. With --words, every word is
    attributed to the version that first wrote it, through moves, splits,
    merges and edits around it; a word deleted and later put back keeps its
    first version, and a run of 4 words or more copied from elsewhere in the
    document keeps the origin of what it copied. On a terminal words are
    coloured by age (a legend maps colours to versions); otherwise each
    paragraph is followed by its runs: v1: "The end of" v7: "the US-Russia".
    The first --words of a document works its attribution out and keeps it.

    Example:

        tracker blame 000 --at v3

        tracker blame 000 --words --format html > words.html
    """
    from ..render.text import terminal_safe

    as_json = as_json or format_ == "json"
    with open_tracker(db_path) as tracker:
        if words:
            found = tracker.word_blame(doc, at)
        else:
            lines = tracker.blame(doc, at)
    if words:
        from ..render import blame as render_blame

        if as_json:
            echo_json(found.as_dict())
        elif format_ == "html":
            click.echo(render_blame.render_word_blame_html(found), nl=False)
        else:
            colored = use_color(color)
            click.echo(render_blame.render_word_blame_text(found, color=colored), color=colored)
        return
    if format_ == "html":
        raise click.UsageError("--format html needs --words")
    if as_json:
        echo_json([line.as_dict() for line in lines])
        return
    width = max((len(f"v{line.origin.version}") for line in lines), default=2)
    for line in lines:
        tag = f"{'v' + str(line.origin.version):<{width}} {line.origin.captured_at[:10]}"
        for k, text_line in enumerate(terminal_safe(line.text).split("\n")):
            click.echo(f"{tag if k == 0 else ' ' * len(tag)} | {text_line}")


#: How a trace line names what happened, after the position.
_TRACE_WORDS = {
    "created": "created",
    "restored": "put back",
    "modified": "modified",
    "moved": "moved",
    "split": "split",
    "merged": "merged",
    "deleted": "deleted",
}


@cli.command()
@click.argument("doc")
@click.argument("paragraph", type=count(1), required=False)
@click.option(
    "--at",
    type=VERSION,
    default="latest",
    show_default=True,
    help="Version PARAGRAPH is numbered in.",
)
@click.option("--search", metavar="WORDS", help="Pick the paragraph containing these words.")
@db_option
@json_option
def trace(doc, paragraph, at, search, db_path, as_json):
    """Show the life of one paragraph of DOC: every version that created, changed or moved it.

    PARAGRAPH is its number in version --at (1-based, as `tracker diff` shows it); or
    --search picks the one paragraph containing all the words given. A paragraph keeps its
    identity (its lineage) through edits, moves, splits and merges, and one put back after
    its deletion continues its old life. Edits show the changed words.

    Example:

        tracker trace 000 2

        tracker trace pep-0008 --search "tabs or spaces" --json
    """
    from ..render.text import render_inline_text, terminal_safe

    if (paragraph is None) == (search is None):
        raise click.UsageError("give either PARAGRAPH or --search")
    with open_tracker(db_path) as tracker:
        version, index, events = tracker.trace(doc, paragraph, at, search=search)
    if as_json:
        echo_json([event.as_dict() for event in events])
        return
    click.echo(f"{terminal_safe(version.doc)} v{version.version}, paragraph {index + 1}:")
    width = max((len(f"v{event.version}") for event in events), default=2)
    for event in events:
        where = f"[{event.index}]"
        what = _TRACE_WORDS[event.op]
        if event.op == "moved":
            what += f" from paragraph {event.old_index}"
        if event.split_from is not None:
            what += f" from paragraph {event.split_from}"
        if event.merged_into is not None:
            what += f" into paragraph {event.merged_into}"
        if event.merged_from:
            what += f", merged with paragraph{'s' * (len(event.merged_from) > 1)} "
            what += ", ".join(map(str, event.merged_from))
        if event.split_into:
            what += f", split into paragraph{'s' * (len(event.split_into) > 1)} "
            what += ", ".join(map(str, event.split_into))
        body = render_inline_text(event.inline) if event.inline else terminal_safe(event.text)
        head = f"v{event.version:<{width - 1}} {event.captured_at[:10]}  {where} {what}: "
        lines = body.split("\n")
        click.echo(head + lines[0])
        for line in lines[1:]:
            click.echo(" " * len(head) + line)
