"""Mutation testing of tracker's pure core with mutmut, and the kill figures per module.

Not part of CI's run (it takes from minutes to an hour or more, see tests/MUTATION.md). From the
repository's root, in the test environment::

    .venv/bin/python tests/mutation.py              # every module of [tool.mutmut] only_mutate
    .venv/bin/python tests/mutation.py engine classes  # some groups only (names below)
    .venv/bin/python tests/mutation.py --report     # the table of the last run, without running
    .venv/bin/python tests/mutation.py --survivors  # only the mutants the last run left alive
    .venv/bin/python tests/mutation.py --escapes    # remove each HTML escape in turn

Each run starts afresh (it removes ``mutants/``, mutmut's work folder) unless ``--keep`` is given,
then prints killed/total per module and the surviving mutants; ``mutmut show NAME`` shows one.
``--survivors`` keeps the last run's results and tries again only the mutants it did not kill
(after adding tests: quicker than a whole run, and the tests that killed the others still do).

The groups of :data:`OWN_TESTS` run on their own test files only (the others are left out through
``PYTEST_ADDOPTS``), each in a mutmut run of its own; the other groups share one run.

mutmut has no operator that drops a call, so it never makes the mutant that matters most in the
web pages: an escape removed. ``--escapes`` makes those itself: each call of ``escape_html``
(``_esc``) and of the ``html.escape`` inside it, one at a time, becomes a plain ``str()`` in a
copy of the package, and the escaping tests must fail.
The configuration (which files are mutated, which tests run) is ``[tool.mutmut]`` in
pyproject.toml.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "mutants"

#: Groups of modules, as mutmut's mutant-name globs.
GROUPS: dict[str, list[str]] = {
    "splitter": ["tracker.text.paragraphs.*"],
    "refs": ["tracker.refs.*", "tracker.times.*"],
    "render": ["tracker.render.*"],
    "web": ["tracker.web.cells.*", "tracker.web.plugin.*", "tracker.web.feed.*"],
    "engine": [
        "tracker.text.diff.*",
        "tracker.text.align.*",
        "tracker.text.splits.*",
        "tracker.text.similarity.*",
        "tracker.text.inline.*",
    ],
    "classes": ["tracker.text.classes.*", "tracker.text.normalise.*"],
}

#: Groups whose mutants must be killed by their own tests, not by whatever else reaches them:
#: the renderers, the provenance and the lineage all diff paragraphs, and would kill many of the
#: engine's mutants that its own tests miss. The other groups run on [tool.mutmut]'s selection.
OWN_TESTS: dict[str, list[str]] = {
    "engine": ["tests/test_diff.py"],
    "classes": ["tests/test_classes.py"],
}

#: mutmut's exit codes of a mutant's test run, as the verdicts counted here.
KILLED = {1: "killed", 3: "killed", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout"}
SURVIVED = {0: "survived"}
NO_TESTS = {5: "no tests", 33: "no tests"}


def verdict(code: int | None) -> str:
    """The verdict of one mutant from its exit code (None: not run)."""
    if code is None:
        return "not run"
    for table in (KILLED, SURVIVED, NO_TESTS):
        if code in table:
            return table[code]
    return "other"


def results() -> dict[str, dict[str, str]]:
    """Verdict of every mutant of the last run, by source file (``tracker/refs.py``)."""
    found: dict[str, dict[str, str]] = {}
    for meta in sorted(WORK.glob("tracker/**/*.py.meta")):
        module = str(meta.relative_to(WORK))[: -len(".meta")]
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        found[module] = {name: verdict(code) for name, code in codes.items()}
    return found


def report() -> int:
    """Print killed/total per module and the survivors; 1 when there are no results."""
    found = results()
    if not found:
        print("no results: run `python tests/mutation.py` first", file=sys.stderr)
        return 1
    print(f"{'module':<30} {'killed':>7} {'of':>5} {'rate':>7}  (timeouts, no tests)")
    survivors: list[str] = []
    for module, verdicts in found.items():
        counts = Counter(verdicts.values())
        tried = sum(n for v, n in counts.items() if v != "not run")
        if not tried:
            continue
        killed = counts["killed"] + counts["timeout"]
        rate = f"{100 * killed / tried:.1f}%"
        print(
            f"{module:<30} {killed:>7} {tried:>5} {rate:>7}  "
            f"({counts['timeout']}, {counts['no tests']})"
        )
        survivors += [
            name for name, v in sorted(verdicts.items()) if v in ("survived", "no tests", "other")
        ]
    if survivors:
        print("\nnot killed (`mutmut show NAME` shows the change):")
        for name in survivors:
            print(f"  {name}")
    return 0


#: Where the package escapes text for HTML, and the tests that must notice a missing escape.
ESCAPING_FILES = [
    "tracker/render/html.py",
    "tracker/web/cells.py",
    "tracker/web/plugin.py",
    "tracker/web/feed.py",
]
ESCAPE_TESTS = [
    "tests/test_escaping.py",
    "tests/test_cells.py",
    "tests/test_feed.py",
    "tests/test_render.py",
]
_ESCAPE_CALL = re.compile(r"(?<![\w.])(_esc|escape_html|escape)\(")
_NO_ESCAPE = (
    "\n\ndef _no_escape(text, quote=True):  # mutation: the escape removed\n"
    '    return "" if text is None else str(text)\n'
)


def escape_mutants() -> list[tuple[str, int, int, str]]:
    """Every escape call: (file, start and end of the called name, its source line)."""
    found = []
    for name in ESCAPING_FILES:
        source = (ROOT / name).read_text()
        for match in _ESCAPE_CALL.finditer(source):
            line_start = source.rfind("\n", 0, match.start()) + 1
            line = source[line_start : source.find("\n", match.start())]
            if not line.lstrip().startswith("def "):
                found.append((name, match.start(1), match.end(1), line.strip()))
    return found


def run_escapes() -> int:
    """Remove each escape in turn in a copy of the package; every one must fail the tests."""
    mutants = escape_mutants()
    survivors = []
    with tempfile.TemporaryDirectory(prefix="tracker-escapes-") as tmp:
        work = Path(tmp)
        for part in ("tracker", "tests", "seeds"):
            shutil.copytree(ROOT / part, work / part, ignore=shutil.ignore_patterns("__pycache__"))
        for part in ("pyproject.toml", "README.md"):
            shutil.copy2(ROOT / part, work / part)
        env = {**os.environ, "PYTHONPATH": str(work)}  # the copy comes before the install
        command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
        for number, (name, start, end, line) in enumerate(mutants, 1):
            original = (ROOT / name).read_text()
            (work / name).write_text(original[:start] + "_no_escape" + original[end:] + _NO_ESCAPE)
            result = subprocess.run(
                [*command, "-m", "not slow and not browser", *ESCAPE_TESTS],
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
            )
            (work / name).write_text(original)
            verdict = {0: "SURVIVED", 1: "killed"}.get(result.returncode, "error")
            print(f"{number:2} {verdict:8} {name}: {line}", flush=True)
            if verdict != "killed":
                survivors.append(f"{name}: {line}")
    print(f"\n{len(mutants) - len(survivors)} of {len(mutants)} escape removals killed")
    return 1 if survivors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("groups", nargs="*", metavar="GROUP", help=", ".join(GROUPS))
    parser.add_argument("--report", action="store_true", help="only print the last results")
    parser.add_argument("--keep", action="store_true", help="reuse mutants/ from the last run")
    parser.add_argument(
        "--survivors", action="store_true", help="run again only the last run's survivors"
    )
    parser.add_argument(
        "--escapes", action="store_true", help="remove each HTML escape in turn (not mutmut)"
    )
    args = parser.parse_args(argv)
    unknown = [group for group in args.groups if group not in GROUPS]
    if unknown:
        parser.error(f"unknown group {unknown[0]!r}: use {', '.join(GROUPS)}")
    if args.report:
        return report()
    if args.escapes:
        return run_escapes()
    if args.survivors:
        names = [
            name
            for verdicts in results().values()
            for name, verdict in verdicts.items()
            if verdict in ("survived", "no tests", "other")
        ]
        if not names:
            print("no survivors to run again", file=sys.stderr)
            return report()
    else:
        if not args.keep and WORK.exists():
            shutil.rmtree(WORK)
        names = [glob for group in args.groups or GROUPS for glob in GROUPS[group]]
    status = 0
    for tests, batch in batches(names):
        status = run_mutmut(batch, tests) or status
    return report() or status


def group_of(name: str) -> str:
    """The group of a mutant's name, or of a glob of ``GROUPS``."""
    for group, globs in GROUPS.items():
        if name in globs or any(fnmatch.fnmatch(name, glob) for glob in globs):
            return group
    raise ValueError(f"{name!r} is in no group of tests/mutation.py")


def batches(names: list[str]) -> list[tuple[list[str] | None, list[str]]]:
    """The names grouped by the tests that run on them: (test files or None, names), in order."""
    out: dict[tuple[str, ...] | None, list[str]] = {}
    for name in names:
        tests = OWN_TESTS.get(group_of(name))
        out.setdefault(None if tests is None else tuple(tests), []).append(name)
    return [(None if tests is None else list(tests), batch) for tests, batch in out.items()]


def run_mutmut(names: list[str], tests: list[str] | None) -> int:
    """``mutmut run`` on these mutants (or globs); only on ``tests`` if given (test files)."""
    env = dict(os.environ)
    if tests is not None:
        others = sorted(
            str(path.relative_to(ROOT))
            for path in (ROOT / "tests").glob("test_*.py")
            if str(path.relative_to(ROOT)) not in tests
        )
        ignores = " ".join(f"--ignore={path}" for path in others)
        env["PYTEST_ADDOPTS"] = f"{env.get('PYTEST_ADDOPTS', '')} {ignores}".strip()
    command = [str(Path(sys.executable).parent / "mutmut"), "run", *names]
    print("+", " ".join(command), "# on", ", ".join(tests or ["[tool.mutmut]'s tests"]), flush=True)
    status = subprocess.run(command, cwd=ROOT, env=env).returncode
    if status != 0:
        print(f"mutmut exited with status {status}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
