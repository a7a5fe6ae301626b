"""The store's fast paths give exactly what the straightforward computations give."""

from __future__ import annotations

import dataclasses
import json
import random
import re
from pathlib import Path

import numpy as np
from datasketch import MinHash
from store_factory import article_item, make_article, traditional

from newsarchive import dedup, textnorm
from newsarchive.records import Article, Credit, Image, Link, article_from_dict
from newsarchive.store import DedupKeys, Store, fts, rows

GOLDEN = Path(__file__).parent / "golden"


def _golden_articles() -> list[Article]:
    found = []
    for path in sorted(GOLDEN.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        record = data.get("result", data) if isinstance(data, dict) else None
        if isinstance(record, dict) and "headline" in record and "body_text" in record:
            found.append(article_from_dict(record))
    return found


def _articles() -> list[Article]:
    base = make_article()
    extra = dataclasses.replace(
        base,
        credits=(*base.credits, Credit(role="责任编辑", name="王五")),
        images=(Image(src="https://www.gz.xinhuanet.com/a/b.jpg?x=1", caption="圖為現場"),),
        related=(Link(title="相關", url="http://m.gz.news.cn/2023-01/02/c_1.htm"),),
        keywords=("經濟", "gz"),
    )
    return [base, extra, traditional(extra, base.url), *_golden_articles()]


def test_golden_articles_are_found() -> None:
    assert len(_golden_articles()) >= 5


#: ``articles.record_hash`` of golden records as schema v5 computed it: the fingerprint of an
#: unchanged article must stay the same, or every upgraded archive would see revisions.
V5_RECORD_HASHES = {
    "big5_gz_chtml_2023.json": "82a743d939d24213992bbc376ac91e8939b9334b674d4ba85c6c1836fbb14954",
    "old_gz_multipage.joined.json": (
        "cf35c06a522b7abd121f258b165963cc78ad73680edd07d9f277146f98c4297f"
    ),
    "old_gz_table_gbk.json": "1e6f80cf51e7209a2b17e6636a3d554ca6980c8323e9f2f907b5a826474c8093",
    "xl2019_provincial_2020.json": (
        "e041ed53eff7694df78fe6bb68654a1ca87939a368345d1fcaf3766a3c68f100"
    ),
}


def test_record_hash_is_the_v5_fingerprint() -> None:
    golden = Path(__file__).parent / "golden"
    for name, expected in V5_RECORD_HASHES.items():
        article = article_from_dict(json.loads((golden / name).read_text(encoding="utf-8")))
        assert rows.record_hash(article) == expected, name


def test_record_hash_with_the_folded_body_given_is_the_same() -> None:
    for article in _articles():
        expected = rows.record_hash(article)
        folded = textnorm.fold(article.body_text)
        assert rows.record_hash(article, folded_body=folded) == expected
        assert DedupKeys.of(article).record_hash == expected
        assert tuple(rows.comparable(article)) == rows.COMPARED_FIELDS


def _datasketch_signature(folded: str) -> bytes | None:
    ids = dedup.shingle_ids(folded)
    if len(ids) < dedup.MIN_SHINGLES:
        return None
    mh = MinHash(
        num_perm=dedup.NUM_PERM, hashfunc=int, permutations=dedup._permutations(), scheme="affine32"
    )
    mh.update_batch(ids.tolist())
    return np.asarray(mh.hashvalues, dtype="<u4").tobytes()


def test_the_permutations_are_datasketchs_affine32_seed_1() -> None:
    reference = MinHash(num_perm=dedup.NUM_PERM, seed=1, scheme="affine32").permutations
    assert np.array_equal(dedup._permutations(), np.asarray(reference, dtype=np.uint32))
    a, _b = dedup._affine()
    assert np.all(a % 2 == 1)  # odd multipliers: each permutation is a bijection


def test_numpy_minhash_equals_datasketch() -> None:
    rng = random.Random(7)
    texts = [textnorm.fold(a.body_text) for a in _articles()]
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 300)] + list("abc123，。 ")
    texts += ["".join(rng.choices(alphabet, k=rng.randint(20, 3000))) for _ in range(50)]
    for text in texts:
        assert dedup.folded_signature(text) == _datasketch_signature(text)
    assert any(dedup.folded_signature(t) is not None for t in texts)


_WORD_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3007]+|[0-9a-z]+")


def _old_fts_text(text: str) -> str:
    """The index form computed the plain way: each CJK run's bigrams, then its last character
    (a run of one: the character), other words as they are."""
    tokens: list[str] = []
    for m in _WORD_RE.finditer(textnorm.fold(text)):
        word = m.group(0)
        if textnorm.CJK_RE.fullmatch(word):
            if len(word) == 1:
                tokens.append(word)
            else:
                tokens += [word[i : i + 2] for i in range(len(word) - 1)] + [word[-1]]
        else:
            tokens.append(word)
    return " ".join(tokens)


def test_fts_text_equals_token_by_token_form() -> None:
    rng = random.Random(3)
    alphabet = [chr(c) for c in (0x3400, 0x4DBF, 0x4E00, 0x4E01, 0x9FFF, 0xF900, 0x3005, 0x3007)]
    alphabet += list("abXY019 ，。!\n_-ＡＢ貴國")
    texts = ["".join(rng.choices(alphabet, k=rng.randint(0, 30))) for _ in range(3000)]
    texts += [a.body_text for a in _articles()]
    for text in texts:
        assert textnorm.fts_text(text) == _old_fts_text(text)
        assert textnorm.folded_fts_text(textnorm.fold(text)) == textnorm.fts_text(text)


def test_index_from_carried_text_equals_index_from_rows(tmp_path: Path) -> None:
    article = make_article()
    edited = dataclasses.replace(article, headline=article.headline + "（更新）")
    fast, slow = tmp_path / "fast.db", tmp_path / "slow.db"
    with Store(fast) as store:  # keys carry the folded text
        store.store_item(article_item(article))
        store.store_item(article_item(edited, fetched_at="2026-11-26T01:00:00+00:00"))
        assert store._fts_ready  # the indexed text waits for the flush
    with Store(slow) as store:  # no folded text: the flush computes it from the rows
        keys = DedupKeys.of(article)
        bare = DedupKeys(
            content_hash=keys.content_hash, record_hash=keys.record_hash, signature=keys.signature
        )
        store.store_item(article_item(article), keys=bare)
        assert not store._fts_ready
    for path, headline in ((fast, edited.headline), (slow, article.headline)):
        with Store(path) as store:
            row = store.db.conn.execute("SELECT headline, body FROM articles_fts").fetchall()
            assert row == [(textnorm.fts_text(headline), textnorm.fts_text(article.body_text))]


def test_stale_carried_text_is_not_indexed(tmp_path: Path) -> None:
    article = make_article()
    with Store(tmp_path / "a.db") as store:
        store.store_item(article_item(article))
        (article_id,) = store._fts_ready
        store.db.conn.execute(  # another writer changed the row before the flush
            "UPDATE articles SET headline = '另一个标题', content_hash = 'x' WHERE id = ?",
            [article_id],
        )
        store.flush_fts()
        indexed = store.db.conn.execute("SELECT headline FROM articles_fts").fetchone()[0]
        assert indexed == textnorm.fts_text("另一个标题")
        assert fts.pending(store.db.conn) == 0
