"""The language of an invocation: chosen before click parses anything, so help and click's own
messages speak it too; then every command's and option's help is taken from the vocabulary.

The language is `[district] language` of the home named by --home / $IPMONITOR_HOME / the current
folder, read leniently here (a broken config is reported later, by the command, in Chinese).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import click

from .. import words
from ..config import CONFIG_NAME
from . import click_words


def _home_arg(args: list[str]) -> str | None:
    for i, a in enumerate(args):
        if a == "--home" and i + 1 < len(args):
            return args[i + 1]
        if a.startswith("--home="):
            return a.split("=", 1)[1]
    return None


def choose(args: list[str]) -> str:
    """`[district] language` of the invocation's home, else Chinese."""
    home = _home_arg(args) or os.environ.get("IPMONITOR_HOME") or os.getcwd()
    try:
        raw = tomllib.loads((Path(home).expanduser() / CONFIG_NAME).read_text(encoding="utf-8-sig"))
        lang = raw.get("district", {}).get("language", "zh-CN")
        return lang if isinstance(lang, str) else "zh-CN"
    except (OSError, ValueError, AttributeError):
        return "zh-CN"


def help_key(path: str, param: str | None = None) -> str | None:
    """The vocabulary key of a command's help (`help.subsidy claim`) or an option's
    (`help.subsidy claim.amount`, else the shared `help.opt.amount`); None when there is none."""
    base = f"help.{path or 'main'}"
    if param is None:
        return base if words.has(base) else None
    for key in (f"{base}.{param}", f"help.opt.{param}"):
        if words.has(key):
            return key
    return None


def commands(group: click.Command, path: str = ""):
    """(path, command) for the group and every command under it."""
    yield path, group
    if isinstance(group, click.Group):
        for name, sub in group.commands.items():
            yield from commands(sub, f"{path} {name}".strip())


def apply(main: click.Command, lang: str) -> None:
    """Speak `lang`: the vocabulary, click's messages, and every help text of the command tree."""
    words.set_language(lang)
    click_words.install(lang)
    chinese = words.lang_of(lang) == 0
    for path, cmd in commands(main):
        cmd.options_metavar = "[选项]" if chinese else "[OPTIONS]"
        if isinstance(cmd, click.Group):
            cmd.subcommand_metavar = "命令 [参数]..." if chinese else "COMMAND [ARGS]..."
        key = help_key(path)
        if key:
            cmd.help = words.say(key)
            cmd.short_help = None
        for p in cmd.params:
            key = help_key(path, p.name)
            if key and isinstance(p, click.Option):
                p.help = words.say(key)
                if isinstance(p.show_default, str) and words.has(f"{key}.default"):
                    p.show_default = words.say(f"{key}.default")
