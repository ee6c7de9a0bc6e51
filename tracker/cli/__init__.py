"""The `tracker` command line: a click group whose commands live in small modules."""

from __future__ import annotations

import click

from ..errors import InterruptedAfterCommit, TrackerError
from ..render.words import one_line


class TrackerGroup(click.Group):
    """Turns library errors into one-line `Error: ...` messages with exit code 1."""

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


from . import core  # noqa: E402,F401  (registers the commands)
from . import diffs  # noqa: E402,F401
from . import authorship  # noqa: E402,F401
from . import corpus  # noqa: E402,F401
from . import watching  # noqa: E402,F401
from . import transfer  # noqa: E402,F401
from . import serving  # noqa: E402,F401
from . import classes  # noqa: E402,F401
