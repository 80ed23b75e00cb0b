"""The README's commands are real: every `installment-conformance` line in its shell blocks parses with the CLI."""

from __future__ import annotations

import re
import shlex

import pytest

from installment_conformance import cli, paths

README = (paths.PROFILES.parent / "README.md").read_text(encoding="utf-8")
SHELL_BLOCKS = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
COMMANDS = [part.strip() for block in SHELL_BLOCKS for line in block.splitlines()
            for part in line.split("#")[0].split("&&") if part.strip().startswith("installment-conformance")]


def test_the_readme_shows_commands():
    """The scan below is not vacuous."""
    assert len(COMMANDS) > 10


@pytest.mark.parametrize("command", COMMANDS)
def test_a_readme_command_parses(command):
    """The line names a subcommand and options the CLI accepts."""
    args = cli.build_parser().parse_args(shlex.split(command)[1:])
    assert callable(args.handler)


def test_the_quickstart_is_two_commands_and_ci_runs_the_second():
    """One command installs and runs the main job, one installs and runs the tests; .ci/run runs the test command."""
    quickstart = README[README.index("## Quickstart"):README.index("## Running the conformance suites")]
    blocks = re.findall(r"```sh\n(.*?)```", quickstart, flags=re.S)
    assert [block.strip() for block in blocks] == ["python3 -m pip install -e . && installment-conformance run --report out",
                                                   "python3 -m pip install -e '.[test]' && python3 -m pytest -q"]
    assert "python3 -m pytest -q" in (paths.PROFILES.parent / ".ci" / "run").read_text(encoding="utf-8")
