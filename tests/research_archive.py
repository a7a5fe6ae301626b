"""A small real archive for the research tests (search, export, stats, show, serve, Archive).

Built with the real write API (:class:`newsarchive.store.Store`, ``store_item`` with PageItems,
so captures, URL aliases, dedup, revisions and takedowns are the store's own doing) from
records made by ``tests/store_factory.py``, with our own Chinese text. :data:`EXPECTED` names
the facts the tests check against.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from store_factory import article_item, error_item, make_article, traditional

from newsarchive import urls
from newsarchive.records import Article, Credit, Dateline, Section
from newsarchive.store import Store

# 1. The factory's Guizhou tea article (simplified), 2023-11; reporters 张三 李四, editor 王五.
TEA_URL = "http://www.gz.xinhuanet.com/2023-11/27/c_1129999001.htm"
TEA_BIG5_URL = urls.big5_url(TEA_URL)

# 2. Yunnan, simplified, 2024-03: 乡村振兴 (4 characters), with sections and a photographer.
YN_URL = "https://yn.news.cn/20240305/0123456789abcdef0123456789abcdef/c.html"
YN_SECTIONS = (
    Section(
        heading=None,
        paragraphs=(
            "新华社昆明3月5日电（记者赵六）云南省今年把乡村振兴作为农业农村工作的总抓手，"
            "在高原特色农业上持续发力。",
            "在红河州的一个咖啡种植基地，合作社把鲜果加工成精品咖啡豆，每亩收入提高三成。",
        ),
    ),
    Section(
        heading="特色产业带动增收",
        paragraphs=("花卉、咖啡和坚果三大产业去年综合产值突破千亿元，带动数十万农户增收。",),
    ),
)

# 3. Guizhou, only ever seen in traditional script (big5 gateway), 2024-05: 數字經濟, 鄉村振興.
DIGITAL_URL = (
    "http://big5.news.cn/gate/big5/www.gz.news.cn/20240515/fedcba9876543210fedcba9876543210/c.html"
)
DIGITAL_SECTIONS = (
    Section(
        heading=None,
        paragraphs=(
            "新華社貴陽5月15日電（記者魯毅）貴州數字經濟規模連續多年保持兩位數增長，"
            "大數據中心集聚效應日益明顯。",
            "當地把數字技術用於鄉村振興，電商平台幫助山區特產賣向全國。",
        ),
    ),
)

# 4. Guizhou metro article, edited after first capture (a revision), 2024-01.
METRO_URL = "https://gz.news.cn/20240110/00000000000000000000000000000001/c.html"

# 5. Hebei article later taken down (404), 2024-02.
GONE_URL = "https://he.news.cn/20240220/00000000000000000000000000000002/c.html"

# 7. Sichuan reprint of the tea article: new headline, last paragraph dropped (a near copy).
REPRINT_URL = "https://sc.news.cn/20231128/00000000000000000000000000000004/c.html"

# 6. Guizhou article whose headline and source start like spreadsheet formulas, 2024-05.
FORMULA_URL = "https://gz.news.cn/20240520/00000000000000000000000000000003/c.html"


def _article(
    url: str, headline: str, published: str, sections: tuple[Section, ...], **kw: Any
) -> Article:
    return make_article(
        url,
        headline=headline,
        published_at=published,
        published_at_raw=published[:19].replace("T", " "),
        sections=sections,
        **kw,
    )


def build(path: Path) -> dict[str, int]:
    """Write the research archive to ``path``; returns article ids by name."""
    tea = make_article(TEA_URL)
    yunnan = _article(
        YN_URL,
        "云南推进乡村振兴 高原特色农业带动增收",
        "2024-03-05T09:30:00+08:00",
        YN_SECTIONS,
        source="云南日报",
        dateline=Dateline(
            agency="新华社", place="昆明", date_text="3月5日", raw="新华社昆明3月5日电"
        ),
        reporters=("赵六",),
        credits=(
            Credit(role="记者", name="赵六"),
            Credit(role="摄影", name="孙七"),
            Credit(role="责任编辑", name="周八"),
        ),
        editors=("周八",),
        images=(),
        related=(),
        keywords=("乡村振兴", "云南"),
        template="provincial_chtml",
    )
    digital = _article(
        DIGITAL_URL,
        "貴州數字經濟加快發展",
        "2024-05-15T08:58:52+08:00",
        DIGITAL_SECTIONS,
        canonical_url=urls.canonical_url(DIGITAL_URL),
        source="新華網",
        dateline=Dateline(
            agency="新華社", place="貴陽", date_text="5月15日", raw="新華社貴陽5月15日電"
        ),
        reporters=("魯毅",),
        credits=(Credit(role="记者", name="魯毅"), Credit(role="责任编辑", name="鄧嫻")),
        editors=("鄧嫻",),
        images=(),
        related=(),
        keywords=("數字經濟",),
        script="zh-Hant",
        encoding="big5",
        template="provincial_chtml",
    )
    metro_sections = (
        Section(
            heading=None,
            paragraphs=(
                "贵阳地铁三号线今天开通初期运营，全线设站二十八座，串起老城区与观山湖区。",
                "市民可以使用交通卡和手机扫码乘车，早晚高峰行车间隔约六分钟。",
            ),
        ),
    )
    metro = _article(
        METRO_URL,
        "贵阳地铁三号线开通运营",
        "2024-01-10T18:00:00+08:00",
        metro_sections,
        dateline=None,
        reporters=(),
        credits=(Credit(role="作者", name="钱九"), Credit(role="责任编辑", name="王五")),
        editors=("王五",),
        images=(),
        related=(),
        keywords=(),
        template="provincial_chtml",
    )
    metro_edited = dataclasses.replace(
        metro,
        headline="贵阳地铁三号线全线开通初期运营",
        sections=(
            Section(
                heading=None,
                paragraphs=(
                    *metro_sections[0].paragraphs,
                    "据介绍，三号线日均客流预计超过二十万人次。",
                ),
            ),
        ),
        body_text="\n".join(
            (*metro_sections[0].paragraphs, "据介绍，三号线日均客流预计超过二十万人次。")
        ),
    )
    gone = _article(
        GONE_URL,
        "河北雄安新区建设稳步推进",
        "2024-02-20T11:00:00+08:00",
        (
            Section(
                heading=None,
                paragraphs=(
                    "雄安新区今年计划开工重点项目一百余个，涉及交通、水利和公共服务设施。",
                ),
            ),
        ),
        dateline=None,
        reporters=(),
        credits=(),
        editors=(),
        images=(),
        related=(),
        keywords=(),
        template="provincial_chtml",
    )
    formula = _article(
        FORMULA_URL,
        '=HYPERLINK("http://example.com") 表格安全提示',
        "2024-05-20T07:00:00+08:00",
        (
            Section(
                heading=None,
                paragraphs=("-10摄氏度的寒潮过后，贵州山区的茶园开始恢复生产。",),
            ),
        ),
        source="@新华网",
        dateline=None,
        reporters=(),
        credits=(Credit(role="记者", name="+张三"),),
        editors=(),
        images=(),
        related=(),
        keywords=(),
        template="provincial_chtml",
    )
    ids: dict[str, int] = {}
    with Store(path) as store:
        run = store.start_run(
            "channel", channels=["gz", "yn", "he"], started_at="2026-11-25T01:00:00+00:00"
        )
        for name, article in (
            ("tea", tea),
            ("yunnan", yunnan),
            ("digital", digital),
            ("metro", metro),
            ("gone", gone),
            ("formula", formula),
        ):
            result = store.store_item(article_item(article), run_id=run)
            assert result.article is not None
            ids[name] = result.article.article_id
        # A reprint in another channel: stored as a near copy of the tea article.
        reprint_sections = (
            tea.sections[0],
            Section(heading=tea.sections[1].heading, paragraphs=tea.sections[1].paragraphs[:1]),
        )
        reprint = _article(
            REPRINT_URL,
            "茶产业量价齐升 贵州经验受关注",
            "2023-11-28T09:00:00+08:00",
            reprint_sections,
            source="四川日报",
        )
        copy = store.store_item(article_item(reprint), run_id=run)
        assert copy.article is not None and copy.article.outcome == "near_duplicate", copy
        ids["reprint"] = copy.article.article_id
        # The big5 mirror of the tea article: the same article under another URL.
        mirror = store.store_item(article_item(traditional(tea, TEA_BIG5_URL)), run_id=run)
        assert mirror.article is not None and mirror.article.article_id == ids["tea"]
        store.finish_run(run, exit_status="finished", errors_by_kind={"timeout": 2},
                         finished_at="2026-11-25T01:30:00+00:00")  # fmt: skip
        run2 = store.start_run(
            "channel", channels=["gz", "he"], started_at="2026-11-26T01:00:00+00:00"
        )
        edited = store.store_item(
            article_item(metro_edited, fetched_at="2026-11-26T01:05:00+00:00"), run_id=run2
        )
        assert edited.article is not None and edited.article.outcome == "updated"
        store.store_item(error_item(GONE_URL, "http_404"), run_id=run2)
        store.finish_run(run2, exit_status="finished", finished_at="2026-11-26T01:20:00+00:00")
    return ids


_BUILT: dict[str, Any] = {}


def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The research archive, built once per test session (callers must not write to it)."""
    if "path" not in _BUILT:
        path = tmp_path_factory.mktemp("research") / "archive.db"
        _BUILT["ids"] = build(path)
        _BUILT["path"] = path
    return Path(_BUILT["path"])


def ids() -> dict[str, int]:
    """Article ids by name (after :func:`built`)."""
    return dict(_BUILT["ids"])
