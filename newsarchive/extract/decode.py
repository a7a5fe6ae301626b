"""Bytes to text: pick the page's real encoding and never produce mojibake.

Order of evidence: a byte-order mark, the HTTP ``Content-Type`` charset hint, the page's own
``<meta charset>``, then detection (charset-normalizer). Declared charsets are *verified*,
not trusted: Xinhua's old provincial pages are GBK, and a GBK page served as ``UTF-8`` (or a
Big5 mirror page labelled ``gb2312``) exists in the wild.

* Bytes that are valid UTF-8 and contain multi-byte sequences are UTF-8, whatever the label
  says (Chinese text in GBK or Big5 is practically never valid UTF-8 by accident).
* ``gb2312``/``gbk``/``cp936`` are decoded as ``gb18030``, their superset; ``big5`` as
  ``big5hkscs``, its superset (reported as ``big5``).
* A decoded text must look like Chinese: most of its ideographs must be common characters
  of GB2312 or of Big5's frequent-character block. Big5 bytes read as GBK (and the reverse)
  decode "successfully" into rare characters, kana and box-drawing symbols; that fails.
* A few undecodable bytes (real pages have them) are replaced only when they are rare
  (≤ 0.5 % of the non-ASCII characters); more than that is :class:`UndecodablePage`.
"""

from __future__ import annotations

import codecs
import logging
import re
from functools import cache

import charset_normalizer

logger = logging.getLogger(__name__)

__all__ = ["UndecodablePage", "decode_page", "normalise_charset"]


class UndecodablePage(ValueError):
    """The page bytes decode to readable text in no plausible encoding."""


#: Label → (codec used for decoding, name reported).
_ALIASES: dict[str, tuple[str, str]] = {
    "utf8": ("utf-8", "utf-8"),
    "utf-8": ("utf-8", "utf-8"),
    "gb2312": ("gb18030", "gb18030"),
    "gbk": ("gb18030", "gb18030"),
    "x-gbk": ("gb18030", "gb18030"),
    "cp936": ("gb18030", "gb18030"),
    "ms936": ("gb18030", "gb18030"),
    "euc-cn": ("gb18030", "gb18030"),
    "gb18030": ("gb18030", "gb18030"),
    "big5": ("big5hkscs", "big5"),
    "big-5": ("big5hkscs", "big5"),
    "x-big5": ("big5hkscs", "big5"),
    "cp950": ("big5hkscs", "big5"),
    "big5-hkscs": ("big5hkscs", "big5"),
    "big5hkscs": ("big5hkscs", "big5"),
}
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_XML_ENCODING_RE = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-]+)""", re.I)
_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
#: Characters that are never in Chinese news text but appear when GBK and Big5 are confused:
#: kana, Greek/Cyrillic letters, box drawing, Hangul, private use area.
_ODD_RE = re.compile(r"[\u0370-\u04ff\u2500-\u257f\u3040-\u30ff\uac00-\ud7af\ue000-\uf8ff]")
_SAMPLE_CHARS = 4000
_CHINESE_CODECS = frozenset({"utf-8", "gb18030", "big5hkscs"})
_MAX_REPLACED = 0.005
_MIN_PLAUSIBLE = 0.8


def normalise_charset(label: str | None) -> tuple[str, str] | None:
    """``(codec, reported name)`` for a charset label, or ``None`` when unknown."""
    if not label:
        return None
    key = label.strip().strip("\"'").lower().replace("_", "-")
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        name = codecs.lookup(key).name
    except LookupError:
        return None
    return _ALIASES.get(name, (name, name))


@cache
def _common_ideographs() -> frozenset[str]:
    """GB2312's 6,763 hanzi plus Big5's 5,401 frequent characters."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xF8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    for lead in range(0xA4, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            try:
                chars.add(bytes((lead, trail)).decode("big5"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


def plausibility(text: str) -> float:
    """Share of the sample's ideographs (and odd letters) that are common Chinese characters.

    1.0 for text with no ideographs at all (nothing to judge)."""
    sample = text[:_SAMPLE_CHARS] if len(text) <= _SAMPLE_CHARS * 4 else _middle(text)
    cjk = _CJK_RE.findall(sample)
    odd = len(_ODD_RE.findall(sample))
    if not cjk and not odd:
        return 1.0
    common = _common_ideographs()
    good = sum(1 for c in cjk if c in common)
    return good / (len(cjk) + odd)


def _middle(text: str) -> str:
    start = max(0, len(text) // 2 - _SAMPLE_CHARS // 2)
    return text[: _SAMPLE_CHARS // 2] + text[start : start + _SAMPLE_CHARS // 2]


def _declared(body: bytes, hint: str | None) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    labels: list[str | None] = [hint]
    head = body[:4096]
    if (m := _XML_ENCODING_RE.match(head)) is not None:
        labels.append(m.group(1).decode("ascii", "replace"))
    labels.extend(m.group(1).decode("ascii", "replace") for m in _META_CHARSET_RE.finditer(head))
    for label in labels:
        pair = normalise_charset(label)
        if pair is not None and pair not in found:
            found.append(pair)
    return found


def _try(body: bytes, codec: str) -> tuple[str, float] | None:
    """Decode with ``codec``; ``(text, replaced share)`` or ``None`` if too broken."""
    try:
        return body.decode(codec), 0.0
    except UnicodeDecodeError:
        pass
    except LookupError:
        return None
    text = body.decode(codec, errors="replace")
    non_ascii = sum(1 for c in text if c > "\x7f")
    count = text.count("\ufffd")
    replaced = count / max(1, non_ascii)
    if replaced > _MAX_REPLACED and not (count <= 2 and replaced <= 0.05):
        return None
    return text, replaced


def decode_page(body: bytes, encoding_hint: str | None) -> tuple[str, str]:
    """Decode page bytes; returns ``(text, encoding name)``.

    ``encoding_hint`` is the HTTP charset (may be wrong or ``None``). Raises
    :class:`UndecodablePage` when no encoding gives plausible text.
    """
    by_bom = _by_bom(body)
    if by_bom is not None:
        return by_bom
    if body.isascii():
        declared = _declared(body, encoding_hint)
        return body.decode("ascii"), declared[0][1] if declared else "utf-8"
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = [pair for pair in _declared(body, encoding_hint) if pair[0] != "utf-8"]
    best = _best_chinese(body, declared)
    if best is not None and best[0] >= _MIN_PLAUSIBLE:
        return best[1], best[2]
    for codec, name in declared:
        # A declared non-Chinese charset (an English page in windows-1252): trusted when it
        # decodes cleanly, since no Chinese reading of the bytes was plausible.
        if codec not in _CHINESE_CODECS:
            try:
                return body.decode(codec), name
            except (UnicodeDecodeError, LookupError):
                continue
    detected = _detect(body)
    if detected is not None and (best is None or detected[0] > best[0]):
        best = detected
    if best is not None and best[0] >= _MIN_PLAUSIBLE:
        logger.debug("decoded by detection as %s (plausibility %.2f)", best[2], best[0])
        return best[1], best[2]
    reason = "no encoding gives readable Chinese text"
    if best is not None:
        reason += f" (best {best[2]}, plausibility {best[0]:.2f})"
    raise UndecodablePage(reason)


def _by_bom(body: bytes) -> tuple[str, str] | None:
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", errors="replace"), "utf-8"
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if body.startswith(bom):
            try:
                return body[2:].decode(codec), "utf-16"
            except UnicodeDecodeError as exc:
                raise UndecodablePage(f"UTF-16 byte-order mark but invalid UTF-16: {exc}") from exc
    return None


def _best_chinese(body: bytes, declared: list[tuple[str, str]]) -> tuple[float, str, str] | None:
    """The first plausible Chinese reading, else the most plausible one (score, text, name).

    UTF-8 with a few broken bytes comes first: its replaced share among non-ASCII characters
    is tiny, while GBK or Big5 bytes read as UTF-8 are nearly all replaced. Then the declared
    Chinese charsets, then GB18030 and Big5.
    """
    candidates = [("utf-8", "utf-8")]
    candidates += [pair for pair in declared if pair[0] in _CHINESE_CODECS]
    for pair in (("gb18030", "gb18030"), ("big5hkscs", "big5")):
        if pair not in candidates:
            candidates.append(pair)
    best: tuple[float, str, str] | None = None
    for codec, name in candidates:
        attempt = _try(body, codec)
        if attempt is None:
            continue
        score = plausibility(attempt[0])
        if score >= _MIN_PLAUSIBLE:
            return score, attempt[0], name
        if best is None or score > best[0]:
            best = (score, attempt[0], name)
    return best


def _detect(body: bytes) -> tuple[float, str, str] | None:
    match = charset_normalizer.from_bytes(body[:65536]).best()
    if match is None:
        return None
    pair = normalise_charset(match.encoding)
    if pair is None:
        return None
    attempt = _try(body, pair[0])
    if attempt is None:
        return None
    return plausibility(attempt[0]), attempt[0], pair[1]
