"""The `serve` command: browse and query the history in Datasette."""

from __future__ import annotations

import io
import json
from pathlib import Path

import click

from . import cli
from .common import db_option, open_tracker


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a web browser.")
@db_option
@click.pass_context
def serve(ctx: click.Context, port: int, host: str, open_browser: bool, db_path: str) -> None:
    """Browse the history in Datasette: tables, diffs, full-text search, an Atom feed.

    The database is opened read-only (not immutable), so `tracker watch` or
    `tracker snapshot` can keep recording while it is served; its name in URLs
    is the file name without extension (`tracker` for the default database).
    Pages: /tracker/changes, /tracker/search?q=..., the diff of a version at
    /-/tracker/diff/tracker/DOC/VERSION, the feed at /-/tracker/tracker/changes.atom.

    Example:

        tracker serve --port 8001 --open
    """
    from datasette import cli as datasette_cli
    from datasette.plugins import pm

    from .. import datasette_metadata, datasette_plugin

    with open_tracker(db_path):  # refuses a missing file, brings the schema up to date
        pass
    if not pm.is_registered(datasette_plugin):  # not installed through its entry point
        pm.register(datasette_plugin, name="tracker")
    metadata = datasette_metadata.instance_metadata([Path(db_path).stem])
    ctx.invoke(
        datasette_cli.serve,
        files=(db_path,),
        host=host,
        port=port,
        open_browser=open_browser,
        metadata=io.StringIO(json.dumps(metadata)),
        settings=tuple(datasette_metadata.SETTINGS.items()),
    )
