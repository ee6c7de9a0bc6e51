"""The commands that say who wrote what: blame (each paragraph's, or each word's, version) and
trace (one paragraph's life through its lineage)."""

from __future__ import annotations

import click

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

    Each line gives that version, its date and the paragraph's number ([3]: the
    number `tracker trace DOC 3` takes). A paragraph that only moved keeps its
    origin. With --words, every word is
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
            text = render_blame.render_word_blame_text(found, color=colored)
            if text:  # an empty version prints nothing, as paragraph blame does
                click.echo(text, color=colored)
        return
    if format_ == "html":
        raise click.UsageError("--format html needs --words")
    if as_json:
        echo_json([line.as_dict() for line in lines])
        return
    width = max((len(f"v{line.origin.version}") for line in lines), default=2)
    places = len(f"[{len(lines)}]")
    for line in lines:
        # [n]: the paragraph's number, as `trace` takes it and shows it
        tag = (
            f"{'v' + str(line.origin.version):<{width}} {line.origin.captured_at[:10]}"
            f" {f'[{line.index + 1}]':>{places}}"
        )
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
@color_option("Colour the changed words, as diff does (auto: on a terminal, no NO_COLOR).")
@db_option
@json_option
def trace(doc, paragraph, at, search, color, db_path, as_json):
    """Show the life of one paragraph of DOC: every version that created, changed or moved it.

    PARAGRAPH is its number in version --at (1-based, as `tracker diff` shows it); or
    --search picks the one paragraph containing all the words given, read as `tracker
    search` reads them ("quoted words" as a phrase, word* as a prefix). A paragraph keeps its
    identity (its lineage) through edits, moves, splits and merges, and one put back after
    its deletion continues its old life. Edits show the changed words. A version that
    brought the whole document back after its deletion is named where it falls, as
    `tracker log` names it ("restored as v3", "re-created").

    Example:

        tracker trace 000 2

        tracker trace pep-0008 --search "tabs or spaces" --json
    """
    from ..render.text import render_inline_text, terminal_safe
    from ..render.words import document_back_words

    if (paragraph is None) == (search is None):
        raise click.UsageError("give either PARAGRAPH or --search")
    with open_tracker(db_path) as tracker:
        version, index, events = tracker.trace(doc, paragraph, at, search=search)
    if as_json:
        echo_json([event.as_dict() for event in events])
        return
    colored = use_color(color)
    click.echo(f"{terminal_safe(version.doc)} v{version.version}, paragraph {index + 1}:")
    numbers = [e.version for e in events] + [
        b.version for e in events for b in e.document_back_after
    ]
    width = max((len(f"v{number}") for number in numbers), default=2)
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
        if event.inline:
            body = render_inline_text(event.inline, colored)
        else:
            body = terminal_safe(event.text)
        head = f"v{event.version:<{width - 1}} {event.captured_at[:10]}  {where} {what}: "
        lines = body.split("\n")
        click.echo(head + lines[0], color=colored)
        for line in lines[1:]:
            click.echo(" " * len(head) + line, color=colored)
        for back in event.document_back_after:  # it did not live on through the deletion unseen
            stamp = f"v{back.version:<{width - 1}} {back.captured_at[:10]}"
            click.echo(f"{stamp}  {document_back_words(back)}")
