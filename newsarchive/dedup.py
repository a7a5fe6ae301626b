"""The three deduplication layers, as pure functions of URLs and text.

The store (:mod:`newsarchive.store`) enforces each layer a second time with the database's
keys and indexes, so the dedup *state* lives in SQLite, never in a Python set:

1. **URL identity** — :func:`newsarchive.urls.canonical_url` folds every URL variant of one page
   to one identity URL; :func:`url_kind` names how a URL relates to the article it shows
   (``canonical``, ``alias``, ``big5``, ``mobile``, ``page``, ``reprint``). Enforced by
   ``articles.canonical_url UNIQUE`` and ``article_urls.url PRIMARY KEY``.
2. **Exact content** — :func:`content_hash` is the SHA-256 of the folded headline and body
   (:func:`newsarchive.textnorm.fold`: NFKC, traditional → simplified, whitespace), so the big5
   mirror copy and the original have the same fingerprint. Enforced by the
   ``articles.content_hash`` index.
3. **Near copies** — :func:`signature` is a MinHash (datasketch's ``affine32`` scheme and
   permutations for seed 1, 64 of them, evaluated in numpy: the same values as
   ``MinHash.update_batch``, a test checks) over character 3-shingles of the folded body;
   :func:`band_keys` cuts it into :data:`BANDS` LSH bands of :data:`ROWS` rows, each band
   hashed to one 64-bit bucket key stored in the ``lsh_buckets`` table. Candidates sharing a
   bucket are confirmed when :func:`similarity` (the MinHash estimate of Jaccard similarity)
   reaches :data:`NEAR_THRESHOLD`, a value chosen on the labelled pairs in
   ``tests/dedup_labelled/``.

Everything here is deterministic across processes and machines (no Python ``hash()``).
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from newsarchive import textnorm, urls

UrlKind = Literal["canonical", "alias", "big5", "mobile", "page", "reprint"]

#: Number of MinHash permutations in a :func:`signature`.
NUM_PERM: Final = 64
#: LSH bands and rows per band (``BANDS * ROWS == NUM_PERM``). The S-curve's midpoint
#: ``(1/BANDS) ** (1/ROWS)`` is 0.5: pairs at Jaccard 0.7 become candidates with probability
#: 0.98, pairs at 0.2 with 0.03.
BANDS: Final = 16
ROWS: Final = 4
#: Shingle length in characters of folded text.
SHINGLE: Final = 3
#: Estimated Jaccard similarity from which a candidate is a near copy (see
#: ``tests/test_dedup_labelled.py`` for the precision/recall this gives).
NEAR_THRESHOLD: Final = 0.5
#: Bodies with fewer distinct shingles than this are too short to judge: no near-copy check.
MIN_SHINGLES: Final = 40

_SIG_DTYPE: Final = np.dtype("<u4")
_GOLDEN: Final = np.uint64(0x9E3779B97F4A7C15)


def url_kind(url: str, article_canonical_url: str) -> UrlKind:
    """How ``url`` relates to the article whose identity URL is ``article_canonical_url``.

    ``reprint`` when ``url`` is another page (a different canonical URL) showing the same
    text; otherwise the most specific variant: ``big5`` gateway, ``mobile`` host, ``page``
    *n* > 1 of a multi-page article, ``canonical`` for the identity URL itself and ``alias``
    for any other spelling (``http``, another host alias of the channel, tracking query).
    """
    if urls.canonical_url(url) != article_canonical_url:
        return "reprint"
    if url == article_canonical_url:
        return "canonical"
    info = urls.parse(url)
    if info.big5:
        return "big5"
    if info.mobile:
        return "mobile"
    if info.page > 1:
        return "page"
    return "alias"


def content_hash(headline: str, body_text: str) -> str:
    """SHA-256 (hex) of the folded headline and body: the exact-content fingerprint."""
    return folded_content_hash(textnorm.fold(headline), textnorm.fold(body_text))


def folded_content_hash(folded_headline: str, folded_body: str) -> str:
    """:func:`content_hash` of text already passed through :func:`textnorm.fold`."""
    text = folded_headline + "\n" + folded_body
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def shingle_ids(folded: str, k: int = SHINGLE) -> npt.NDArray[np.uint64]:
    """The distinct character ``k``-shingles of already folded text as 32-bit ids.

    Each shingle's code points are packed into one integer (exact, no collisions), then
    mixed down to 32 bits with a multiplicative hash. Spaces are dropped first so that
    line breaks do not matter.
    """
    text = folded.replace(" ", "").replace("\n", "")
    if len(text) < k:
        return np.zeros(0, dtype=np.uint64)
    cps = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    packed = np.zeros(len(cps) - k + 1, dtype=np.uint64)
    for i in range(k):
        packed = (packed << np.uint64(21)) | cps[i : len(cps) - k + 1 + i]
    mixed: npt.NDArray[np.uint64] = np.sort((packed * _GOLDEN) >> np.uint64(32))
    keep = np.empty(len(mixed), dtype=bool)  # distinct values of the sorted array
    keep[0] = True
    np.not_equal(mixed[1:], mixed[:-1], out=keep[1:])
    distinct: npt.NDArray[np.uint64] = mixed[keep]
    return distinct


#: MurmurHash3's 32-bit finalizer (shifts and multipliers), which datasketch's ``affine32``
#: scheme applies to each input before its affine permutations.
_FMIX32: Final = (16, np.uint32(0x85EBCA6B), 13, np.uint32(0xC2B2AE35), 16)


@cache
def _permutations() -> npt.NDArray[np.uint32]:
    """The ``(a, b)`` parameters of the :data:`NUM_PERM` affine permutations ``a * h + b``
    modulo 2**32: datasketch's ``MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32")``
    parameters (numpy's legacy ``RandomState``, whose stream numpy keeps stable; a test checks
    them against datasketch). They are part of the archive format (``articles.minhash``), so
    they are fixed here rather than taken from whichever datasketch is installed, whose
    package import also pulls in scipy (~0.45 s of CPU at every writer start)."""
    gen = np.random.RandomState(1)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return np.array([a, b])


@cache
def _affine() -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    a, b = _permutations()
    return np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)


def _minhash(ids: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint32]:
    """datasketch's ``MinHash(scheme="affine32", hashfunc=int).update_batch(ids)`` hash values,
    computed in numpy without a Python list (the same arithmetic: fmix32, then ``a * h + b``
    modulo 2**32 per permutation, then the minimum over the inputs)."""
    s1, m1, s2, m2, s3 = _FMIX32
    hv = ids.astype(np.uint32)
    hv = hv ^ (hv >> np.uint32(s1))
    hv = hv * m1
    hv = hv ^ (hv >> np.uint32(s2))
    hv = hv * m2
    hv = hv ^ (hv >> np.uint32(s3))
    a, b = _affine()
    mins: npt.NDArray[np.uint32] = (hv[:, None] * a + b).min(axis=0)
    return mins


def signature(body_text: str) -> bytes | None:
    """The MinHash signature of ``body_text`` (folded, 3-shingled) as ``NUM_PERM`` little-endian
    uint32 values (256 bytes); ``None`` when the body has fewer than :data:`MIN_SHINGLES`
    distinct shingles."""
    return folded_signature(textnorm.fold(body_text))


def folded_signature(folded_body: str) -> bytes | None:
    """:func:`signature` of a body already passed through :func:`textnorm.fold`."""
    ids = shingle_ids(folded_body)
    if len(ids) < MIN_SHINGLES:
        return None
    return _minhash(ids).astype(_SIG_DTYPE).tobytes()


def similarity(sig_a: bytes, sig_b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures: the share of equal MinHash values."""
    a = np.frombuffer(sig_a, dtype=_SIG_DTYPE)
    b = np.frombuffer(sig_b, dtype=_SIG_DTYPE)
    if a.shape != b.shape:
        raise ValueError("signatures of different lengths")
    return float(np.count_nonzero(a == b)) / len(a)


def band_keys(sig: bytes) -> list[int]:
    """One signed 64-bit bucket key per LSH band (the band number is part of the key)."""
    step = ROWS * _SIG_DTYPE.itemsize
    keys = []
    for band in range(BANDS):
        chunk = bytes([band]) + sig[band * step : (band + 1) * step]
        digest = hashlib.blake2b(chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys
