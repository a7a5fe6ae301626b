"""A generator of Xinhua-faithful sample sites written from our own text.

The bundled sample site (``newsarchive/sample_site/``) and the benchmark site are both made by
:func:`generate_site`. A generated site is a ``<host>/<path>`` mirror tree (what
``wget --mirror`` writes) plus two files at its root, which are not part of any host:

``MANIFEST.json``
    Every article (URLs, canonical URL, headline, time, pages, relations, expected outcome),
    every non-article page, the start pages and the generator state the site is a function of.
``content-types.json``
    ``<host>/<path>`` → ``Content-Type`` overrides for :mod:`newsarchive.mirrorserver` (the GBK page
    is served without a charset, on purpose).

``MANIFEST.json`` keys (format 1):

``generator``
    ``{channels, n_articles, seed, added, edited, removed}``: the state the site is a pure
    function of (the change functions below update it).
``start_pages``
    channel → start URLs (``https://gz.news.cn/``, ``http://www.gz.xinhuanet.com/pc.htm``…),
    the same as the registry's ``start`` in ``channels.toml``.
``columns``
    ``{id, channel, name, kind: static|datasource, url, datasource, publish_url_style}``.
``articles``
    one entry per article *URL family* (originals, the reprint, the duplicate): ``key``,
    ``kind`` (``original``/``reprint``/``duplicate``), ``of`` (the original's key),
    ``channel``, ``template``, ``url_era`` (``c_htm``/``c_html``), ``url`` (page 1),
    ``canonical_url``, ``article_id``, ``alias_urls`` (the same bytes on other hosts),
    ``page_urls`` (old-era pages 2…n), ``pages``, ``multipage``
    (``old_pages``/``xinhuabreak``/``pagebreak``/null), ``big5_url``, ``big5_encoding``,
    ``encoding``, ``headline``, ``published_at`` (ISO, +08:00), ``source``, ``dateline``,
    ``reporters``, ``authors``, ``photographers``, ``editors``, ``credits`` ([role, name]),
    ``keywords`` (meta), ``headings``, ``paragraphs`` (body paragraphs, credit lines and
    captions excluded), ``images``, ``search_terms``, ``column``, ``column_url``,
    ``revision``, ``v1_headline`` and ``expected`` (``article``, or ``broken`` once removed).
``pages``
    every other URL: ``{url, kind, expected}`` with kind ``index``/``column``/``datasource``/
    ``topic``/``robots``/``preview``/``broken_link``/``offsite_link`` and expected
    ``non-article``, ``broken`` (404), ``disallowed`` (robots.txt) or ``offsite``.
``search_terms``
    term → keys of the articles whose headline or body holds it.
``edited_later``, ``counts``, ``content_types``, ``files``
    the key with a second version, totals, the Content-Type overrides, every mirror path.

A site changes only through :func:`add_articles`, :func:`edit_article` and
:func:`remove_article`: each updates the generator state in the manifest, re-renders and writes
only the files whose bytes changed (and deletes the ones that went away).
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from newsarchive.mirrorserver import REMOVED_FILE as REMOVED
from tools.sitegen.site import State, render

logger = logging.getLogger(__name__)

SAMPLE_CHANNELS = ("gz", "he")
SAMPLE_ARTICLES = 72
SAMPLE_SEED = 7
MANIFEST = "MANIFEST.json"
CONTENT_TYPES = "content-types.json"

__all__ = [
    "SAMPLE_ARTICLES",
    "SAMPLE_CHANNELS",
    "SAMPLE_SEED",
    "add_articles",
    "edit_article",
    "generate_site",
    "load_manifest",
    "remove_article",
    "taken_down_later",
    "write_v2_overlay",
]


def load_manifest(site_dir: str | Path) -> dict[str, Any]:
    """The parsed ``MANIFEST.json`` of a generated site."""
    path = Path(site_dir) / MANIFEST
    try:
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{site_dir} is not a generated site: no {MANIFEST}") from None
    return data


def _write(site_dir: Path, state: State) -> dict[str, Any]:
    """Render ``state`` into ``site_dir``: write changed files, delete vanished ones."""
    files, manifest = render(state)
    old: set[str] = set()
    if (site_dir / MANIFEST).exists():
        old = set(load_manifest(site_dir)["files"])
    site_dir.mkdir(parents=True, exist_ok=True)
    written = 0
    for rel, data in files.items():
        path = site_dir / rel
        if path.is_file() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written += 1
    for rel in sorted(old - set(files)):
        (site_dir / rel).unlink(missing_ok=True)
    (site_dir / CONTENT_TYPES).write_text(
        json.dumps(manifest["content_types"], ensure_ascii=False, indent=1) + "\n", "utf-8"
    )
    (site_dir / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", "utf-8"
    )
    logger.info("site %s: %d files, %d written", site_dir, len(files), written)
    return manifest


def generate_site(
    out_dir: str | Path,
    *,
    channels: tuple[str, ...] | list[str] = SAMPLE_CHANNELS,
    n_articles: int = SAMPLE_ARTICLES,
    seed: int = SAMPLE_SEED,
) -> dict[str, Any]:
    """Write a site with ``n_articles`` distinct articles (plus reprints, duplicates, host
    aliases and big5 copies) into ``out_dir``; return its manifest.

    Deterministic: the same arguments give the same bytes. ``out_dir`` must be empty, missing,
    or an earlier generated site (it is then brought to the new state in place).
    """
    site = Path(out_dir)
    if site.exists() and any(site.iterdir()) and not (site / MANIFEST).exists():
        raise FileExistsError(f"{site} is not empty and holds no {MANIFEST}; refusing to write")
    state = State(channels=tuple(channels), n_articles=n_articles, seed=seed)
    return _write(site, state)


def _state(site_dir: str | Path) -> State:
    return State.from_dict(load_manifest(site_dir)["generator"])


def add_articles(site_dir: str | Path, n: int) -> list[str]:
    """Publish ``n`` new articles (newest, in the 2020+ columns); return their keys."""
    if n < 1:
        raise ValueError("n must be at least 1")
    state = _state(site_dir)
    before = {a["key"] for a in load_manifest(site_dir)["articles"]}
    manifest = _write(Path(site_dir), replace(state, added=state.added + n))
    return [a["key"] for a in manifest["articles"] if a["key"] not in before]


def edit_article(site_dir: str | Path, key: str) -> list[str]:
    """Switch article ``key`` to its second version (corrected headline and text, same URL);
    return the mirror paths whose bytes changed."""
    state = _state(site_dir)
    _check_key(site_dir, key)
    if key in state.edited:
        return []
    return _changed(Path(site_dir), replace(state, edited=(*state.edited, key)))


def remove_article(site_dir: str | Path, key: str) -> list[str]:
    """Take article ``key`` down: its files disappear (the server answers 404) while lists keep
    linking to it; return the mirror paths removed."""
    state = _state(site_dir)
    _check_key(site_dir, key)
    if key in state.removed:
        return []
    return _changed(Path(site_dir), replace(state, removed=(*state.removed, key)))


def _check_key(site_dir: str | Path, key: str) -> None:
    keys = {a["key"] for a in load_manifest(site_dir)["articles"]}
    if key not in keys:
        raise KeyError(f"no article {key!r} in {site_dir}")


def _changed(site_dir: Path, state: State) -> list[str]:
    before, _ = render(_state(site_dir))
    after, _ = render(state)
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    _write(site_dir, state)
    return changed


def taken_down_later(manifest: dict[str, Any]) -> str | None:
    """The article the v2 overlay takes down: the first plain original (no big5 copy, alias,
    later pages, image, search term or copy of it) of the edited-later article's channel and
    template, other than that article; ``None`` on a site too small to have one."""
    articles = manifest["articles"]
    edited = next(a for a in articles if a["key"] == manifest["edited_later"])
    copied = {a["of"] for a in articles if a["of"]}
    for a in articles:
        plain = not (
            a["big5_url"] or a["alias_urls"] or a["multipage"] or a["search_terms"] or a["images"]
        )
        if (
            a["kind"] == "original"
            and plain
            and a["key"] not in copied | {edited["key"]}
            and (a["channel"], a["template"]) == (edited["channel"], edited["template"])
        ):
            return str(a["key"])
    return None


def write_v2_overlay(site_dir: str | Path, out_dir: str | Path) -> list[str]:
    """Write the files that change when the site is visited again later into ``out_dir``
    (same ``<host>/<path>`` layout); return their mirror paths.

    Later, the edited-later article is in its second version and one article
    (:func:`taken_down_later`) is taken down: its page is listed in ``removed.json`` at the
    overlay's top, which :mod:`newsarchive.mirrorserver` answers with 404. Serve ``out_dir``
    in front of ``site_dir`` (``MirrorServer([out_dir, site_dir])``) to see the later site
    without touching the committed one. ``V2.json`` describes both changes.
    """
    manifest = load_manifest(site_dir)
    key = manifest["edited_later"]
    gone = taken_down_later(manifest)
    state = _state(site_dir)
    before, _ = render(state)
    after, after_manifest = render(
        replace(
            state,
            edited=(*state.edited, key),
            removed=(*state.removed, *([gone] if gone else [])),
        )
    )
    out = Path(out_dir)
    changed = sorted(p for p in after if before.get(p) != after[p])
    removed = sorted(p for p in before if p not in after)
    for rel in changed:
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(after[rel])
    out.mkdir(parents=True, exist_ok=True)
    (out / REMOVED).write_text(json.dumps(removed, indent=1) + "\n", "utf-8")
    entry = next(a for a in after_manifest["articles"] if a["key"] == key)
    down = next((a for a in manifest["articles"] if a["key"] == gone), None)
    (out / "V2.json").write_text(
        json.dumps(
            {
                "key": key,
                "article": entry,
                "files": changed,
                "taken_down": down,
                "removed": removed,
            },
            ensure_ascii=False,
            indent=1,
        )
        + "\n",
        "utf-8",
    )
    return changed
