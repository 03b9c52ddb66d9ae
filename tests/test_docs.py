"""The docs name every command and every option of the CLI (README.md and docs/*.md), like
sqlite-utils' tests/test_docs.py: walk the click tree, look for each name in the text."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from ipmonitor.cli import main

REPO = Path(__file__).resolve().parent.parent
DOCS = "\n".join(p.read_text(encoding="utf-8") for p in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))])


def commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, cmd in sorted(group.commands.items()):
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from commands(cmd, (*prefix, name))


COMMANDS = list(commands(main))
OPTIONS = sorted({(" ".join(path), opt) for path, cmd in COMMANDS for p in cmd.params
                  if isinstance(p, click.Option) for opt in p.opts if opt.startswith("--")}
                 | {("", opt) for p in main.params if isinstance(p, click.Option) for opt in p.opts})


@pytest.mark.parametrize("path", [" ".join(p) for p, _ in COMMANDS])
def test_every_command_is_documented(path):
    assert f"ipmonitor {path}" in DOCS or f"`{path}`" in DOCS, f"`ipmonitor {path}` is not in README.md or docs/"


@pytest.mark.parametrize("command,option", OPTIONS, ids=[f"{c or 'ipmonitor'} {o}" for c, o in OPTIONS])
def test_every_option_is_documented(command, option):
    assert option in DOCS, f"{option} of `ipmonitor {command}` is not in README.md or docs/"


def test_every_command_has_help():
    assert [" ".join(p) for p, cmd in COMMANDS if not (cmd.help or "").strip()] == []
