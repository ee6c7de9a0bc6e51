"""Mutation testing of tracker's pure core with mutmut, and the kill figures per module.

Not part of CI's run (it takes from minutes to an hour or more, see tests/MUTATION.md). From the
repository's root, in the test environment::

    .venv/bin/python tests/mutation.py              # every module of [tool.mutmut] only_mutate
    .venv/bin/python tests/mutation.py splitter refs  # some groups only (names below)
    .venv/bin/python tests/mutation.py --report     # the table of the last run, without running
    .venv/bin/python tests/mutation.py --survivors  # only the mutants the last run left alive

Each run starts afresh (it removes ``mutants/``, mutmut's work folder) unless ``--keep`` is given,
then prints killed/total per module and the surviving mutants; ``mutmut show NAME`` shows one.
``--survivors`` keeps the last run's results and tries again only the mutants it did not kill
(after adding tests: quicker than a whole run, and the tests that killed the others still do).
The configuration (which files are mutated, which tests run) is ``[tool.mutmut]`` in
pyproject.toml.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
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
    # the diff engine: being rewritten; measured as a baseline, run alone with `engine`
    "engine": ["tracker.text.diff.*", "tracker.text.similarity.*", "tracker.text.inline.*"],
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("groups", nargs="*", metavar="GROUP", help=", ".join(GROUPS))
    parser.add_argument("--report", action="store_true", help="only print the last results")
    parser.add_argument("--keep", action="store_true", help="reuse mutants/ from the last run")
    parser.add_argument(
        "--survivors", action="store_true", help="run again only the last run's survivors"
    )
    args = parser.parse_args(argv)
    unknown = [group for group in args.groups if group not in GROUPS]
    if unknown:
        parser.error(f"unknown group {unknown[0]!r}: use {', '.join(GROUPS)}")
    if args.report:
        return report()
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
        names = [glob for group in args.groups for glob in GROUPS[group]]
    mutmut = Path(sys.executable).parent / "mutmut"
    command = [str(mutmut), "run", *names]
    print("+", " ".join(command), flush=True)
    status = subprocess.run(command, cwd=ROOT).returncode
    if status != 0:
        print(f"mutmut exited with status {status}", file=sys.stderr)
    return report() or status


if __name__ == "__main__":
    sys.exit(main())
