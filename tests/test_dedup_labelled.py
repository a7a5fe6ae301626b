"""Near-copy detection measured on the labelled pairs in ``tests/dedup_labelled/``.

A pair counts as detected the way the store detects it: the same exact-content fingerprint, or
a shared LSH bucket (:func:`newsarchive.dedup.band_keys`) and a MinHash similarity of at least
:data:`newsarchive.dedup.NEAR_THRESHOLD`.
"""

from __future__ import annotations

from collections import Counter

import pytest
from dedup_labelled.labelled import Pair, load

from newsarchive import dedup


def detected(pair: Pair, threshold: float = dedup.NEAR_THRESHOLD) -> bool:
    if dedup.content_hash(pair.a.headline, pair.a.body) == dedup.content_hash(
        pair.b.headline, pair.b.body
    ):
        return True
    sig_a, sig_b = dedup.signature(pair.a.body), dedup.signature(pair.b.body)
    assert sig_a is not None and sig_b is not None  # every labelled body is long enough
    shares_bucket = bool(set(dedup.band_keys(sig_a)) & set(dedup.band_keys(sig_b)))
    return shares_bucket and dedup.similarity(sig_a, sig_b) >= threshold


def precision_recall(pairs: list[Pair], threshold: float) -> tuple[float, float]:
    outcome = Counter((p.dup, detected(p, threshold)) for p in pairs)
    tp, fp, fn = outcome[True, True], outcome[False, True], outcome[True, False]
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


@pytest.fixture(scope="module")
def pairs() -> list[Pair]:
    return load()


def test_labelled_set_has_both_classes(pairs: list[Pair]) -> None:
    notes = Counter(p.note for p in pairs if p.dup)
    assert sum(notes.values()) == 96 and len(notes) == 8
    negatives = Counter(p.note for p in pairs if not p.dup)
    assert negatives["same topic, different story"] == 6
    assert negatives["different story that reuses one background paragraph of the other"] == 6


def test_precision_and_recall_at_the_chosen_threshold(pairs: list[Pair]) -> None:
    precision, recall = precision_recall(pairs, dedup.NEAR_THRESHOLD)
    print(f"\nnear-copy detection on {len(pairs)} labelled pairs: P={precision:.3f} R={recall:.3f}")
    assert precision == 1.0
    assert recall >= 0.95


def test_threshold_sits_inside_the_perfect_band(pairs: list[Pair]) -> None:
    """The chosen threshold has margin on both sides: neighbours 0.1 away are still exact."""
    for t in (dedup.NEAR_THRESHOLD - 0.1, dedup.NEAR_THRESHOLD + 0.1):
        assert precision_recall(pairs, t) == (1.0, 1.0)
    assert precision_recall(pairs, 0.7)[1] < 1.0  # too strict: trimmed reprints are missed


@pytest.mark.parametrize(
    "note",
    [
        "reprint with a changed headline",
        "reprint without the last paragraph",
        "changed headline, trimmed paragraph and editor note",
        "big5 mirror copy (traditional script)",
    ],
)
def test_each_kind_of_copy_is_found(pairs: list[Pair], note: str) -> None:
    assert all(detected(p) for p in pairs if p.note == note)


def test_same_topic_stories_are_not_copies(pairs: list[Pair]) -> None:
    hard = [p for p in pairs if not p.dup and p.note != "different topics"]
    assert hard and not any(detected(p) for p in hard)
