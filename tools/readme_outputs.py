"""Write the demo's real output into the README: ``python -m tools.readme_outputs``.

Every ````console`` block of ``README.md`` is a command (its first line, ``$ newsarchive …``)
and what it printed. This tool builds the demo archive in a fresh folder (``newsarchive demo``,
as the README's first ``console`` block says), runs each block's command there, and writes
their output back into the README, so the sample outputs are the demo's own. ``--check``
writes nothing and exits 1 when the README's outputs differ from fresh ones in more than what
varies from run to run (:func:`normalise`); ``tests/test_readme_examples.py`` makes the same
check.

Run it from the repository's root after a change to what the commands print.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"

#: The console command that builds the archive every other block reads.
DEMO = "newsarchive demo"

_CONSOLE_RE = re.compile(r"^```console\n\$ (?P<command>[^\n]+)\n(?P<output>.*?)^```$", re.M | re.S)


@dataclass(frozen=True)
class Block:
    """One ````console`` block: the command and the output the README shows."""

    command: str
    output: str
    start: int
    """Offsets of the output in the README text."""
    end: int


def console_blocks(text: str) -> list[Block]:
    """The README's ``console`` blocks, in order."""
    return [
        Block(m["command"], m["output"], m.start("output"), m.end("output"))
        for m in _CONSOLE_RE.finditer(text)
    ]


def environment() -> dict[str, str]:
    """The environment the commands run in: this checkout's code, no colours, no settings
    file or archive from the caller's environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "100"
    return env


def argv(command: str) -> list[str]:
    """``newsarchive …`` as this Python runs it (the checkout's code, whatever is on PATH)."""
    words = shlex.split(command)
    if words[0] == "newsarchive":
        return [sys.executable, "-c", "from newsarchive.cli import main; main()", *words[1:]]
    if words[0] == "python":
        return [sys.executable, *words[1:]]
    raise ValueError(f"not a newsarchive or python command: {command}")


def run(command: str, workspace: Path) -> subprocess.CompletedProcess[str]:
    """Run a README command in ``workspace`` (the folder holding ``data/archive.db``)."""
    return subprocess.run(
        argv(command),
        cwd=workspace,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def build_demo(workspace: Path) -> str:
    """Run ``newsarchive demo`` in ``workspace`` (it writes ``data/archive.db`` there);
    return what it printed on standard output. Raises :class:`RuntimeError` if it failed."""
    proc = run(DEMO, workspace)
    if proc.returncode != 0:
        raise RuntimeError(f"{DEMO} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    return proc.stdout


def fresh_outputs(text: str, workspace: Path) -> Iterator[tuple[Block, str]]:
    """Each console block of ``text`` with what its command prints now, in ``workspace``
    (the demo block first, which builds the archive there)."""
    blocks = console_blocks(text)
    demo = [b for b in blocks if b.command == DEMO]
    if not demo or blocks[0].command != DEMO:
        raise ValueError(f"the README's first console block must be `$ {DEMO}`")
    for block in blocks:
        if block.command == DEMO:
            yield block, build_demo(workspace)
            continue
        proc = run(block.command, workspace)
        if proc.returncode != 0:
            raise RuntimeError(f"{block.command} exited {proc.returncode}: {proc.stderr[-2000:]}")
        yield block, proc.stdout


# What varies from one demo to the next, and nothing else.
_UTC_TIME_RE = re.compile(r"\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:\+00:00|Z)?(?![+-]\d)")
_DURATION_RE = re.compile(r"\bin \d+(?:\.\d+)?s\b")
_ARTICLE_ID_RE = re.compile(r"\bid \d+\b")
#: Columns of ``newsarchive runs`` that vary: when and how long.
VARYING_COLUMNS = ("started_at", "seconds")


def _table_cells(lines: list[str]) -> list[str]:
    """``lines`` with the cells of :data:`VARYING_COLUMNS` blanked, in any table whose header
    (a line of three or more lowercase column names) names one; cells are found by the
    header's column offsets, and a blank line ends a table."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    for text in lines:
        line = text
        names = [(m.group(), m.start()) for m in re.finditer(r"\S+", line)]
        header = len(names) >= 3 and all(re.fullmatch(r"[a-z_]+", name) for name, _ in names)
        if header and any(name in VARYING_COLUMNS for name, _ in names):
            ends = [start for _, start in names[1:]] + [10**6]
            spans = [
                (start, end)
                for (name, start), end in zip(names, ends, strict=True)
                if name in VARYING_COLUMNS
            ]
        elif not line.strip():
            spans = []
        else:
            for start, end in reversed(spans):
                line = f"{line[:start]}<v>  {line[end:]}"
        out.append(line)
    return out


def normalise(output: str) -> str:
    """``output`` with what varies between two runs of the demo replaced by placeholders:
    times in UTC (not the articles' +08:00 times), run durations, article ids (the order
    concurrent fetches are stored in) and :data:`VARYING_COLUMNS`; column padding is
    collapsed. Everything else, every counter, must be the same."""
    lines = _table_cells(output.splitlines())
    text = "\n".join(lines)
    text = _UTC_TIME_RE.sub("<time>", text)
    text = _DURATION_RE.sub("in <s>", text)
    text = _ARTICLE_ID_RE.sub("id <id>", text)
    lines = [re.sub(r" {2,}", "  ", line.rstrip()) for line in text.splitlines()]
    return "\n".join(lines).strip("\n")


def regenerate(text: str, workspace: Path) -> str:
    """``text`` (the README) with every console block's output replaced by a fresh one."""
    parts: list[str] = []
    at = 0
    for block, output in fresh_outputs(text, workspace):
        parts += [text[at : block.start], output.rstrip("\n") + "\n"]
        at = block.end
    return "".join([*parts, text[at:]])


def differences(text: str, workspace: Path) -> list[str]:
    """The console blocks of ``text`` whose output differs from a fresh one (normalised)."""
    return [
        f"$ {block.command}\n--- README\n{normalise(block.output)}\n--- now\n{normalise(output)}"
        for block, output in fresh_outputs(text, workspace)
        if normalise(block.output) != normalise(output)
    ]


def main(args: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.readme_outputs",
        description="Write the demo's real output into README.md's console blocks.",
    )
    parser.add_argument("--readme", type=Path, default=README, help="default: README.md")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the outputs differ"
    )
    options = parser.parse_args(args)
    text = options.readme.read_text("utf-8")
    with tempfile.TemporaryDirectory(prefix="readme-") as tmp:
        if options.check:
            found = differences(text, Path(tmp))
            sys.stdout.write("\n\n".join(found) + ("\n" if found else ""))
            return 1 if found else 0
        new = regenerate(text, Path(tmp))
    if new != text:
        options.readme.write_text(new, "utf-8")
    sys.stdout.write(f"{options.readme}: {len(console_blocks(new))} outputs written\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
