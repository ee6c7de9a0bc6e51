"""The `tracker` command line: a click group whose commands live in small modules."""

from __future__ import annotations

import importlib

import click

from ..errors import InterruptedAfterCommit, TrackerError
from ..render.words import one_line

#: The module that defines each command. A command's module is imported when the command runs
#: (or when help lists it): `tracker snapshot` does not load the code of the diff, the web
#: server or an import, and starts sooner. tests/test_docs.py checks that this is complete.
COMMANDS = {
    "blame": "authorship",
    "checkout": "transfer",
    "diff": "diffs",
    "docs": "core",
    "export": "transfer",
    "fsck": "corpus",
    "ignore": "classes",
    "import": "transfer",
    "import-git": "transfer",
    "log": "core",
    "reclassify": "classes",
    "restore": "transfer",
    "search": "corpus",
    "serve": "serving",
    "show": "core",
    "snapshot": "core",
    "stats": "corpus",
    "timeline": "corpus",
    "trace": "authorship",
    "upgrade": "corpus",
    "watch": "watching",
}


class TrackerGroup(click.Group):
    """Loads each command's module when it is asked for, and turns library errors into
    one-line `Error: ...` messages with exit code 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(f"{__name__}.{COMMANDS[cmd_name]}")  # registers it
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except TrackerError as error:
            raise click.ClickException(one_line(str(error))) from None
        except BrokenPipeError:  # `tracker log x | head`
            ctx.exit(0)
        except OSError as error:  # what no command foresaw (a name too long): one line
            where = f"{error.filename}: " if error.filename else ""
            raise click.ClickException(one_line(f"{where}{error.strerror or error}")) from None
        except InterruptedAfterCommit:  # not "Aborted!": the work is in the database
            click.echo(
                "\nStopped by Ctrl-C, after the changes were committed: they are stored.", err=True
            )
            ctx.exit(130)


#: Help is wrapped to the terminal, up to this width: the README's reference is rendered at it,
#: so on a wide terminal `--help` reads exactly as documented.
HELP_WIDTH = 100


@click.group(
    cls=TrackerGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": HELP_WIDTH},
)
@click.version_option(package_name="tracker")
def cli() -> None:
    """Track a folder of text documents in SQLite and see what changed, paragraph by paragraph.

    Example:

        tracker snapshot seeds/ && tracker log 000
    """


def all_commands() -> dict[str, click.Command]:
    """Every command by name, each module loaded: for the docs and the tests that go over all."""
    ctx = click.Context(cli)
    return {name: cli.get_command(ctx, name) for name in cli.list_commands(ctx)}
