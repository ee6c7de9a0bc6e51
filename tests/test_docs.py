"""The project's promises about itself: docs in sync with --help, lint clean, layered imports."""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.cli import cli

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


def test_every_command_is_documented():
    for name, command in cli.commands.items():
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


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            found.add((node.module or "").split(".")[0])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tracker"):
            found.add(node.module.split(".")[1] if "." in node.module else "")
    return found


def test_dependencies_point_one_way():
    package = ROOT / "tracker"
    for path in package.glob("*.py"):
        if path.name == "__main__.py":
            continue
        deps = _imports(path)
        assert "cli" not in deps, f"{path.name} imports the CLI"
        if path.stem in ("paragraphs", "diff", "inline", "similarity", "errors"):
            pure = {"errors", "paragraphs", "inline", "similarity"}
            assert not deps - pure, f"{path.name} must stay pure: {deps}"
        if path.stem == "watch":
            assert not deps & {"store", "api", "cli"}, "watch.py knows nothing of SQLite"


def test_no_module_imports_another_modules_private_names():
    # a leading underscore means "only for this module": a name another module needs is public
    offenders = []
    for path in (ROOT / "tracker").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        offenders.append(f"{path.relative_to(ROOT)}: {alias.name}")
    assert not offenders
