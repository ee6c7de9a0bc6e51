"""The `serve` command: browse and query the history in Datasette."""

from __future__ import annotations

import errno
import io
import json
import os
from pathlib import Path

import click

from . import cli
from .common import db_option, open_tracker


def check_listen(host: str, port: int) -> None:
    """Fail with one line, before Datasette starts, when uvicorn could not listen on host:port.

    Binds (then closes) a socket to every address ``host`` resolves to, as asyncio's
    ``create_server`` does for uvicorn: with SO_REUSEADDR on POSIX like it, so a port that only
    has connections of an earlier server in TIME_WAIT is not refused, while a port another
    process listens on (or has bound) is.
    """
    import socket  # here, not at the top: every command would pay for importing it

    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        addresses = socket.getaddrinfo(
            host or None, port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE
        )
    except OSError as error:
        raise click.ClickException(f"cannot listen on {where}: {_reason(error)}") from None
    refused: OSError | None = None
    bound = 0
    for family, kind, proto, _, address in dict.fromkeys(addresses):
        try:
            sock = socket.socket(family, kind, proto)
        except OSError:  # an address family this machine does not have
            continue
        with sock:
            if os.name == "posix":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == getattr(socket, "AF_INET6", None) and hasattr(socket, "IPV6_V6ONLY"):
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(address)
                bound += 1
            except OSError as error:
                if error.errno != errno.EADDRNOTAVAIL:  # asyncio skips those, if another binds
                    raise click.ClickException(
                        f"cannot listen on {where}: {_reason(error)}"
                    ) from None
                refused = refused or error
    if not bound:
        reason = _reason(refused) if refused else "no address to listen on"
        raise click.ClickException(f"cannot listen on {where}: {reason}")


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a web browser.")
@db_option
@click.pass_context
def serve(ctx: click.Context, port: int, host: str, open_browser: bool, db_path: str) -> None:
    """Browse the history in Datasette: what changed, diffs, tables, search, an Atom feed.

    The database is opened read-only (not immutable), so `tracker watch` or
    `tracker snapshot` can keep recording while it is served; one in a folder
    that cannot be written (read-only media) is served as immutable, since no
    one can change it. Its name in URLs is the file name without extension
    (`tracker` for the default database).
    Pages: / (every document and the latest changes), a document's versions at
    /-/tracker/doc/tracker/DOC, the diff of two versions at
    /-/tracker/diff/tracker/DOC/3..17, a search at /-/tracker/tracker/search?q=...,
    /tracker/changes, the feed at /-/tracker/tracker/changes.atom.

    Example:

        tracker serve --port 8001 --open
    """
    from datasette import cli as datasette_cli
    from datasette.plugins import pm

    from ..web import metadata as datasette_metadata
    from ..web import plugin as datasette_plugin

    with open_tracker(db_path) as tracker:  # refuses a missing file, upgrades the schema
        immutable = tracker.store.immutable  # in a folder no one may write: see below
    check_listen(host, port)  # one clear line instead of uvicorn's log and exit status 3
    if not pm.is_registered(datasette_plugin):  # not installed through its entry point
        pm.register(datasette_plugin, name="tracker")
    metadata = datasette_metadata.instance_metadata([Path(db_path).stem])
    ctx.invoke(
        datasette_cli.serve,
        files=() if immutable else (db_path,),
        immutable=(db_path,) if immutable else (),
        host=host,
        port=port,
        open_browser=open_browser,
        metadata=io.StringIO(json.dumps(metadata)),
        settings=tuple(datasette_metadata.SETTINGS.items()),
    )
