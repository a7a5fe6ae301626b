"""The import's plan: page references kept in a temporary file, read back in date order;
its memory does not grow with the number of records."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from newsarchive import urls
from newsarchive.webarchive import importing
from tools.warcsite import Page, write_warc

BODY = b"<html><head><title>t</title></head><body><p>x</p></body></html>"


def _pages(n: int) -> list[Page]:
    # newest first: the plan must give them back oldest first
    return [
        Page(
            f"https://gz.news.cn/2024{1 + i % 12:02d}01/{i:032x}/c.html",
            "text/html",
            BODY,
            f"2024-01-01T{(n - i) // 3600 % 24:02d}:{(n - i) // 60 % 60:02d}:{(n - i) % 60:02d}Z",
        )
        for i in range(n)
    ]


def _held_by_plan(path: Path) -> tuple[int, int, bool]:
    """Memory held once ``path`` is planned and its references read back; how many
    references, and whether they came in date order."""
    count, ordered, last = 0, True, ""
    tracemalloc.start()
    try:
        with importing.plan([path]) as found:
            for ref in found.page_refs():
                count += 1
                ordered = ordered and ref.date >= last
                last = ref.date
            urls.parse.cache_clear()  # bounded (8,192 URLs), and not the plan's
            snapshot = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    ours = snapshot.filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
    return sum(stat.size for stat in ours.statistics("filename")), count, ordered


def test_the_plan_gives_pages_in_date_order_and_later_pages_by_url(tmp_path: Path) -> None:
    warc = tmp_path / "a.warc.gz"
    later = "http://www.gz.xinhuanet.com/2015-08/19/c_1117978327_2.htm"
    write_warc(
        warc,
        [
            *_pages(5),
            Page(later, "text/html", BODY, "2024-03-01T00:00:00Z"),
            Page(later, "text/html", BODY, "2024-02-01T00:00:00Z"),
        ],
    )
    with importing.plan([warc]) as found:
        refs = list(found.page_refs())
        assert found.records == 7
        assert found.pages == 5
        assert [r.date for r in refs] == sorted(r.date for r in refs)
        assert refs[0].url.endswith(f"{4:032x}/c.html")  # the last written, the oldest
        assert {r.path for r in refs} == {str(warc.resolve())}
        assert [r.date for r in found.later_pages(later.replace("http:", "https:"))] == [
            "2024-02-01T00:00:00+00:00",
            "2024-03-01T00:00:00+00:00",
        ]
        assert found.later_pages("http://www.gz.xinhuanet.com/2015-08/19/c_1_2.htm") == []


def test_plan_memory_does_not_grow_with_the_number_of_records(tmp_path: Path) -> None:
    small, big = tmp_path / "small.warc.gz", tmp_path / "big.warc.gz"
    write_warc(small, _pages(300))
    write_warc(big, _pages(6000))
    small_held, small_count, _ = _held_by_plan(small)
    big_held, big_count, big_ordered = _held_by_plan(big)
    assert (small_count, big_count, big_ordered) == (300, 6000, True)
    # References held in memory would cost ~300 bytes each: 5,700 more records, ~1.7 MB.
    assert big_held - small_held < 400_000, (small_held, big_held)
