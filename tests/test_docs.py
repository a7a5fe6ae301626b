"""Docs are tested: every ``newsarchive`` command and every option is documented in README.md.

The commands are found by introspecting the click group, so a new command or option without
documentation fails here. A command is documented by a ``### newsarchive <command>`` heading
under "## Commands"; each of its options (long form) must appear in that subsection.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from newsarchive.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        if command.hidden:
            continue
        found.append((prefix + name, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, prefix + name + " "))
    return found


def _sections(text: str) -> dict[str, str]:
    """``### newsarchive <command>`` subsection text by command name."""
    sections: dict[str, str] = {}
    parts = re.split(r"^(#{1,3} .*)$", text, flags=re.MULTILINE)
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        m = re.fullmatch(r"### newsarchive ([a-z0-9 _-]+?)\s*", heading)
        if m:
            sections[m.group(1)] = body
    return sections


def _long_options(command: click.Command) -> list[str]:
    names: list[str] = []
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            opts = [o for o in (*param.opts, *param.secondary_opts) if o.startswith("--")]
            names.extend(opts or param.opts)
    return [n for n in names if n != "--help"]


COMMANDS = _commands(main)


def test_the_cli_has_the_research_commands() -> None:
    assert {"search", "export", "stats", "show", "serve"} <= {name for name, _ in COMMANDS}


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_every_command_and_option_is_in_the_readme(name: str, command: click.Command) -> None:
    sections = _sections(README.read_text("utf-8"))
    assert name in sections, f"README.md has no '### newsarchive {name}' subsection"
    missing = [opt for opt in _long_options(command) if opt not in sections[name]]
    assert missing == [], f"newsarchive {name}: options not in its README subsection: {missing}"


def test_global_options_are_in_the_readme() -> None:
    text = README.read_text("utf-8")
    missing = [opt for opt in _long_options(main) if opt not in text]
    assert missing == []
