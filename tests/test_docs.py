"""The project's promises about itself: docs in sync with --help, lint clean, layered imports."""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.cli import COMMANDS, all_commands, cli

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()


def test_readme_opens_with_the_two_setup_commands():
    blocks = re.findall(r"```bash\n(.*?)\n```", README, re.S)
    assert "tracker watch seeds/" in blocks[0]
    assert "pytest" in blocks[1]
    assert blocks[0].startswith("python3 -m venv") and blocks[1].startswith("python3 -m venv")


def test_ci_runs_the_readme_test_command():
    script = (ROOT / ".ci" / "run").read_text()
    assert "<!-- test-command -->" in script  # .ci/run reads the command from README.md
    marker = README.index("<!-- test-command -->")
    command = re.search(r"```bash\n(.*?)\n```", README[marker:], re.S).group(1)
    assert command.startswith("python3 -m venv .venv") and "pytest" in command


def test_the_lazy_command_table_names_every_command_and_its_module():
    """Each command is found where ``COMMANDS`` says (its module is loaded only when asked for),
    and the table misses none: every command module's commands are in it."""
    import importlib
    import pkgutil

    import tracker.cli

    for info in pkgutil.iter_modules(tracker.cli.__path__):
        importlib.import_module(f"tracker.cli.{info.name}")  # registers whatever it defines
    assert sorted(cli.commands) == sorted(COMMANDS)
    for name, command in cli.commands.items():
        assert command.callback.__module__ == f"tracker.cli.{COMMANDS[name]}", name


def test_every_command_is_documented():
    for name, command in all_commands().items():
        assert f"### tracker {name}\n" in README, name
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("-"):
                    assert opt in README, f"{name} {opt}"


@pytest.mark.skipif(
    shutil.which("cog") is None and not (Path(sys.executable).parent / "cog").exists(),
    reason="cogapp not installed",
)
def test_readme_cog_blocks_are_current():
    cog = Path(sys.executable).parent / "cog"
    result = subprocess.run(
        [str(cog) if cog.exists() else "cog", "--check", "README.md"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr + "\nrun: cog -r README.md"


def test_ruff_clean():
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run(
        [str(ruff) if ruff.exists() else "ruff", "check", "tracker", "tests", "bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


#: Each part of the package and its rank: a module may import from its own part or from parts of
#: a lower rank, never upwards or sideways (README's "How the code is laid out" says why).
RANKS = {
    "errors": 0,
    "times": 1,
    "text": 2,
    "models": 3,
    "refs": 3,
    "store": 4,
    "render": 4,
    "history": 5,
    "scan": 6,
    "corpus": 6,
    "watch": 7,
    "api": 8,
    "web": 9,
    "cli": 10,
    "__init__": 11,
    "__main__": 11,
}


def _part(module: str) -> str:
    """The part of the package a dotted module name (``tracker.x.y``) belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _module_name(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    parts = list(relative.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every tracker import in a file."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "tracker" or target.startswith("tracker."):
                found.append((target, [alias.name for alias in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("tracker"):
                    found.append((alias.name, [], node.lineno))
    return found


def _layering_problems(root: Path) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.py")):
        module = _module_name(path)
        here = _part(module)
        for target, names, line in _imports(path):
            where = f"{path.relative_to(ROOT)}:{line}"
            imported = [f"{target}.{name}" for name in names] or [target]
            for full in imported:
                # "from . import x" names a module: judge the module, not its package
                there = _part(
                    full
                    if (root.parent / full.replace(".", "/")).exists()
                    or Path(str(root.parent / full.replace(".", "/")) + ".py").exists()
                    else target
                )
                if there != here and RANKS[there] >= RANKS[here]:
                    problems.append(f"{where}: {here} imports {there} ({full})")
            private = [name for name in names if name.startswith("_") and name != "__version__"]
            if private and target != module:
                problems.append(f"{where}: private {', '.join(private)} from {target}")
    return problems


def test_dependencies_point_one_way():
    """cli, web -> api -> watch -> scan, corpus -> history -> store, render -> models, text."""
    assert set(RANKS) >= {_part(_module_name(p)) for p in (ROOT / "tracker").rglob("*.py")}
    assert _layering_problems(ROOT / "tracker") == []


def test_the_layering_check_catches_arrows_up_sideways_and_private_names(tmp_path, monkeypatch):
    """The check itself must fail on a bad import, or the test above proves nothing."""
    fake = tmp_path / "tracker"
    (fake / "text").mkdir(parents=True)
    (fake / "store").mkdir()
    (fake / "render").mkdir()
    (fake / "text" / "diff.py").write_text("from ..store.base import Store\n")  # up
    (fake / "store" / "base.py").write_text("from ..render.html import escape_html\n")  # sideways
    (fake / "render" / "html.py").write_text("from ..text.diff import _align\n")  # private
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert _layering_problems(fake) == [
        "tracker/render/html.py:1: private _align from tracker.text.diff",
        "tracker/store/base.py:1: store imports render (tracker.render.html.escape_html)",
        "tracker/text/diff.py:1: text imports store (tracker.store.base.Store)",
    ]


def test_readme_describes_every_part_of_the_package():
    """README's "How the code is laid out" names every folder and module of tracker/, in the
    order of the layering (highest rank first), and nothing that does not exist."""
    section = README[README.index("<!-- layout -->") : README.index("<!-- /layout -->")]
    named = re.findall(r"^- `([^`]+)`(?:, `([^`]+)`)?:", section, re.M)
    listed = [name.rstrip("/").removesuffix(".py") for pair in named for name in pair if name]
    package = ROOT / "tracker"
    present = {p.stem for p in package.glob("*.py")} | {
        p.name for p in package.iterdir() if (p / "__init__.py").exists()
    }
    assert set(listed) == present - {"__init__", "__main__"}
    ranks = [RANKS[name] for name in listed]
    assert ranks == sorted(ranks, reverse=True), "listed from the top layer down"
