"""The wheel ships the product: a normal (non-editable) install runs ``newsarchive demo`` from
any folder, with the sample site it carries as package data, and carries no test tooling.

The virtual environment sees the test environment's packages (``--system-site-packages``) so
that nothing is downloaded; newsarchive itself is built from a copy of the repository and
installed into the environment with ``--no-deps --no-build-isolation --no-index``, and the test
checks that what runs is that installed copy, not the repository.
"""

from __future__ import annotations

import importlib.resources
import json
import os
import shutil
import site
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from newsarchive.crawling import jobs

#: What ``pip install .`` reads, plus the workshop and data/, to show they stay out.
COPIED = ("pyproject.toml", "README.md", "newsarchive", "spiders", "pipelines", "tools", "data")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.db", "*.db-*", "*.lock", "jobs")


def _env() -> dict[str, str]:
    """The environment minus anything that would put the repository on the import path."""
    return {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}


def test_the_demo_finds_the_packaged_site_and_its_channels(tmp_path: Path, repo_root: Path) -> None:
    site = importlib.resources.files("newsarchive") / jobs.SAMPLE_SITE
    assert isinstance(site, Path)
    assert site == repo_root / "newsarchive" / "sample_site"
    assert jobs.sample_site_channels(site) == ["gz", "he"]
    with pytest.raises(FileNotFoundError, match=r"is not a sample site: it has no MANIFEST\.json"):
        jobs.sample_site_channels(tmp_path)


@pytest.mark.slow
def test_a_normal_install_runs_the_demo_from_any_folder(tmp_path: Path, repo_root: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in COPIED:
        path = repo_root / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=IGNORED)
        else:
            shutil.copy2(path, source / name)
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
        check=True,
        timeout=120,
    )
    python = venv / "bin" / "python"
    # --system-site-packages shows the base interpreter's packages; when the suite itself runs
    # in a virtual environment (the README's commands make one), its dependencies are there
    # instead: a .pth line puts the test environment's site-packages after the venv's own.
    purelib_of_venv = venv / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    (purelib_of_venv / "site-packages" / "_test_environment.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8"
    )
    install = subprocess.run(
        [
            *(sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"),
            *("--no-deps", "--no-build-isolation", "--no-index", "--ignore-installed"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=_env(),
        check=False,
        cwd=tmp_path,
    )
    assert install.returncode == 0, install.stdout + install.stderr

    # What the environment imports is the installed copy, and the wheel carries no workshop.
    probe = subprocess.run(
        [
            str(python),
            "-c",
            "import json, sys, sysconfig, importlib.resources as r, importlib.util as u\n"
            "import newsarchive.cli, newsarchive.crawling.jobs, newsarchive.mirrorserver\n"
            "import spiders.channel, pipelines.store\n"
            "mods = [m.__file__ for n, m in list(sys.modules.items())\n"
            "        if n.split('.')[0] in ('newsarchive', 'spiders', 'pipelines')\n"
            "        and getattr(m, '__file__', None)]\n"
            "print(json.dumps({'purelib': sysconfig.get_paths()['purelib'], 'modules': mods,\n"
            "  'site': str(r.files('newsarchive') / 'sample_site'),\n"
            "  'tools': u.find_spec('tools') is not None, 'path': sys.path}))",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(),
        check=True,
        cwd=tmp_path,
    )
    found = json.loads(probe.stdout)
    purelib = Path(found["purelib"])
    assert purelib.is_relative_to(venv)
    assert found["modules"]
    assert all(Path(m).is_relative_to(purelib) for m in found["modules"]), found["modules"]
    assert Path(found["site"]) == purelib / "newsarchive" / "sample_site"
    assert found["tools"] is False
    assert not any(Path(p).resolve() == repo_root for p in found["path"] if p)
    record = next(purelib.glob("newsarchive-*.dist-info")) / "RECORD"
    shipped = [line.split(",", 1)[0] for line in record.read_text("utf-8").splitlines()]
    assert not [f for f in shipped if f.startswith(("tools/", "data/", "tests/"))]
    assert not [f for f in shipped if "/sitegen/" in f or "/faults/" in f]

    # The demo, from an unrelated folder, with the site copy shipped in the wheel.
    manifest = json.loads((Path(found["site"]) / "MANIFEST.json").read_text("utf-8"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    demo = subprocess.run(
        [str(venv / "bin" / "newsarchive"), "demo"],
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(),
        check=False,
        cwd=elsewhere,
    )
    output = demo.stdout + demo.stderr
    assert demo.returncode == 0, output
    distinct = manifest["counts"]["distinct_articles"]
    assert distinct == 72
    assert f"archive: {distinct} articles, 1 near copies" in output
    db = elsewhere / "data" / "archive.db"
    with sqlite3.connect(db) as conn:
        # 72 distinct articles and the one near copy, as test_cli_crawl's demo finds.
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == distinct + 1
        channels = {r[0] for r in conn.execute("SELECT DISTINCT channel FROM articles")}
        # the second visit, to the site as it is later (the overlay shipped beside it)
        revisions = conn.execute("SELECT count(*) FROM revisions").fetchone()[0]
        takedowns = conn.execute("SELECT count(*) FROM events WHERE kind = 'taken_down'")
        assert (revisions, takedowns.fetchone()[0]) == (1, 1)
    assert channels == set(manifest["start_pages"]) == {"gz", "he"}
    assert "run 2 (channel)" in output
    assert (Path(found["site"]).parent / "sample_site_v2" / "removed.json").is_file()
