"""Stories: the content of one generated article, built from the text bank with a seeded RNG.

A :class:`Story` is pure data (headline, dated blocks of body, credits, where it is published);
:mod:`tools.sitegen.templates` turns it into the HTML of one template family. Every story
is built from its own ``random.Random`` seeded by ``(seed, key)``, so adding stories never
changes the existing ones.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from tools.sitegen import textbank as tb

Family = Literal["provincial_old", "provincial_chtml", "xl2019", "newpage2020"]
BlockKind = Literal["p", "h", "img", "cap", "staff"]
#: How a story credits its people (see the module docstring of ``templates``).
Byline = Literal["dateline_xinhuashe", "dateline_xinhuawang", "trailer", "trailer_ascii", "none"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Block:
    """One block of an article body."""

    kind: BlockKind
    """``p`` paragraph, ``h`` in-body subheading, ``img`` image (``text`` is the file name),
    ``cap`` image caption, ``staff`` a credits paragraph (``记者：… 视频：…``)."""
    text: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Story:
    """Everything about one generated article except its markup."""

    key: str
    channel: str
    family: Family
    host: str
    """The host the story is published on (``www.gz.xinhuanet.com``, ``gz.news.cn``…)."""
    path: str
    """Path of page 1 (``/2016-11/21/c_1119954709.htm`` or ``/20240515/<hex>/c.html``)."""
    article_id: str
    published: datetime
    """Beijing time, naive."""
    headline: str
    source: str
    dateline: str | None
    """``新华社贵阳11月27日电`` or ``None``."""
    reporters: tuple[str, ...]
    photographers: tuple[str, ...]
    authors: tuple[str, ...]
    """``作者`` names of the c.html credit line."""
    credits: tuple[tuple[str, str], ...]
    """Every credited (role, name): 记者, 通讯员, 作者, 摄影, staff-line roles, 责任编辑."""
    editors: tuple[str, ...]
    byline: Byline
    blocks: tuple[Block, ...]
    keywords: tuple[str, ...]
    """The page's keyword tags (``meta[name=keywords]``)."""
    pages: int = 1
    multipage: Literal["old_pages", "xinhuabreak", "pagebreak"] | None = None
    encoding: Literal["utf-8", "gbk"] = "utf-8"
    indent: Literal["u3000", "nbsp"] = "u3000"
    detail_content: bool = True
    """newpage2020 only: wrap the paragraphs in ``span#detailContent``."""
    editor_style: int = 0
    """Which credit-line variant of the family to print (0, 1, 2…)."""
    column: str = ""
    kind: Literal["original", "reprint", "duplicate"] = "original"
    of: str | None = None
    """For reprints and duplicates: the key of the original story."""
    revision: int = 1

    @property
    def url(self) -> str:
        scheme = "https" if self.host.endswith("news.cn") else "http"
        return f"{scheme}://{self.host}{self.path}"

    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind in ("p", "h", "staff")]

    def body_paragraphs(self) -> int:
        """How many body paragraphs (not headings, captions or credit lines)."""
        return sum(1 for b in self.blocks if b.kind == "p")


def person_pool(salt: str, size: int) -> tuple[str, ...]:
    """``size`` distinct invented names (2 or 3 characters), the same for every seed."""
    rng = random.Random(f"names:{salt}")
    names: list[str] = []
    while len(names) < size:
        given = "".join(rng.choice(tb.GIVEN) for _ in range(rng.choice((1, 2, 2))))
        name = rng.choice(tb.SURNAMES) + given
        if name not in names:
            names.append(name)
    return tuple(names)


REPORTERS = {code: person_pool(f"reporters-{code}", 24) for code in tb.PROVINCE}
EDITORS = {code: person_pool(f"editors-{code}", 10) for code in tb.PROVINCE}
PEOPLE = person_pool("people", 60)


@dataclass(frozen=True, kw_only=True, slots=True)
class Slots:
    """The values a story's templates are filled with."""

    place: str
    town: str
    product: str
    trade: str
    org: str
    month: int
    day: int

    def fill(self, template: str, rng: random.Random) -> str:
        """``template`` with its slots filled (numbers and people drawn from ``rng``)."""
        values: dict[str, object] = {
            "place": self.place,
            "town": self.town,
            "product": self.product,
            "trade": self.trade,
            "org": self.org,
            "month": self.month,
            "day": self.day,
            "n": rng.choice((20, 30, 50, 60, 80, 120, 150, 200, 300, 500, 1200)),
            "m": rng.choice((2, 3, 4, 5, 7, 9, 12, 18, 25)),
            "k": rng.randint(2, 11),
            "w": rng.randint(3, 6),
            "pct": f"{rng.randint(5, 38)}.{rng.randint(1, 9)}%",
            "name": rng.choice(PEOPLE),
            "role": rng.choice(tb.ROLES),
        }
        return template.format(**values)


def _body(
    rng: random.Random, slots: Slots, terms: tuple[str, ...], image_name: Callable[[int], str]
) -> tuple[list[Block], list[str]]:
    """The middle of a story: paragraphs, maybe subheadings, images with captions, and the
    planted search-keyword sentences; with the photographers credited in the captions."""
    blocks: list[Block] = []
    body = rng.sample(tb.BODY, rng.randint(5, 10))
    headings = list(rng.sample(tb.SUBHEADINGS, 3)) if rng.random() < 0.45 else []
    n_images = rng.choice((0, 0, 1, 1, 2))
    photographers: list[str] = []
    step = max(1, len(body) // (len(headings) + 1))
    for i, template in enumerate(body):
        if headings and i > 0 and i % step == 0:
            blocks.append(Block(kind="h", text=headings.pop(0)))
        if n_images and i in (1, 4):
            n_images -= 1
            photographer = rng.choice(PEOPLE)
            photographers.append(photographer)
            blocks.append(Block(kind="img", text=image_name(len(photographers))))
            caption = slots.fill(rng.choice(tb.CAPTIONS), rng)
            credit = rng.choice((f"（{photographer} 摄）", f"新华社发（{photographer}摄）"))
            blocks.append(Block(kind="cap", text=caption + credit))
        blocks.append(Block(kind="p", text=slots.fill(template, rng)))
        if i == 2:
            blocks.extend(Block(kind="p", text=tb.KEYWORD_SENTENCES[t]) for t in terms)
    return blocks, photographers


def build_story(
    *,
    key: str,
    channel: str,
    family: Family,
    host: str,
    path: str,
    article_id: str,
    published: datetime,
    seed: int,
    terms: tuple[str, ...] = (),
    image_name: Callable[[int], str] = lambda k: f"{k}.jpg",
) -> Story:
    """A story's text, credits and blocks, from its own RNG.

    ``terms`` are search keywords to plant (one sentence each); ``image_name(k)`` names the
    ``k``-th image file (each template family has its own naming rule).
    """
    rng = random.Random(f"{seed}:{key}")
    slots = Slots(
        place=rng.choice(tb.PLACES[channel]),
        town=rng.choice(tb.TOWNS),
        product=rng.choice(tb.PRODUCTS),
        trade=rng.choice(tb.TRADES),
        org=rng.choice(tb.ORGS),
        month=published.month,
        day=published.day,
    )
    reporters = tuple(rng.sample(REPORTERS[channel], rng.choice((1, 1, 2))))
    byline: Byline = rng.choice(
        ("dateline_xinhuashe", "dateline_xinhuawang", "trailer", "trailer", "trailer_ascii", "none")
    )
    capital = tb.CAPITAL[channel]
    dateline: str | None = None
    if byline == "dateline_xinhuashe":
        dateline = f"新华社{capital}{published.month}月{published.day}日电"
    elif byline == "dateline_xinhuawang":
        dateline = f"新华网{capital}{published.month}月{published.day}日电"
    authors: tuple[str, ...] = ()
    if byline == "none":
        reporters = ()
        authors = (rng.choice(PEOPLE),)
    blocks: list[Block] = []
    lead = slots.fill(rng.choice(tb.LEADS), rng)
    if dateline is not None:
        credit = "、".join(reporters)
        sep = "（记者" if byline == "dateline_xinhuashe" else "（记者 "
        lead = f"{dateline}{sep}{credit}）{lead}"
    blocks.append(Block(kind="p", text=lead))
    body, photographers = _body(rng, slots, terms, image_name)
    blocks.extend(body)
    closing = slots.fill(rng.choice(tb.CLOSINGS), rng)
    credits = [("记者", r) for r in reporters] + [("作者", a) for a in authors]
    if byline == "trailer":
        closing += f"（记者 {'、'.join(reporters)}）"
    elif byline == "trailer_ascii":
        reporters = reporters[:1]
        credits = [("记者", reporters[0]), ("通讯员", rng.choice(PEOPLE))]
        closing += f"(记者 {reporters[0]} 通讯员 {credits[1][1]})"
    blocks.append(Block(kind="p", text=closing))
    credits += [("摄影", p) for p in photographers]
    if family in ("newpage2020", "provincial_chtml") and rng.random() < 0.2:
        staff = rng.sample(PEOPLE, 3)
        line = rng.choice(tb.STAFF_LINES).format(a=staff[0], b=staff[1], c=staff[2])
        blocks.append(Block(kind="staff", text=line))
        pairs = [part.split("：") for part in line.split("\u3000")]
        credits += [(role, name) for role, name in pairs]
        reporters += tuple(name for role, name in pairs if role == "记者")
    editor_style = rng.randint(0, 2)
    editors = tuple(rng.sample(EDITORS[channel], 2 if editor_style > 0 else 1))
    credits += [("责任编辑", e) for e in editors]
    return Story(
        key=key,
        channel=channel,
        family=family,
        host=host,
        path=path,
        article_id=article_id,
        published=published,
        headline=slots.fill(rng.choice(tb.HEADLINES), rng),
        source=rng.choice(tb.SOURCES[channel]),
        dateline=dateline,
        reporters=reporters,
        photographers=tuple(photographers),
        authors=authors,
        editors=editors,
        credits=tuple(credits),
        byline=byline,
        blocks=tuple(blocks),
        keywords=(slots.place, slots.trade, slots.product),
        editor_style=editor_style,
        indent="nbsp" if family == "provincial_old" and rng.random() < 0.4 else "u3000",
        detail_content=rng.random() < 0.5,
    )


def reprint_of(original: Story, *, key: str, host: str, path: str, article_id: str) -> Story:
    """A near copy: another headline, the last body paragraph trimmed, published a day later."""
    blocks = list(original.blocks)
    paragraphs = [i for i, b in enumerate(blocks) if b.kind == "p"]
    del blocks[paragraphs[-2]]  # the paragraph before the closing one
    place = original.keywords[0]
    headline = original.headline.removeprefix(f"{place}：")
    return dataclasses.replace(
        original,
        key=key,
        host=host,
        path=path,
        article_id=article_id,
        headline=f"{place}见闻丨{headline}",
        published=original.published + timedelta(days=1, hours=2),
        blocks=tuple(blocks),
        kind="reprint",
        of=original.key,
        source=tb.SOURCES[original.channel][1],
    )


def duplicate_of(original: Story, *, key: str, host: str, path: str, article_id: str) -> Story:
    """The same story republished unchanged under a new id (another column)."""
    return dataclasses.replace(
        original,
        key=key,
        host=host,
        path=path,
        article_id=article_id,
        kind="duplicate",
        of=original.key,
    )


def revised(original: Story) -> Story:
    """Version 2 of ``original``: a corrected headline, a corrected figure, an added paragraph."""
    blocks = list(original.blocks)
    first = blocks[0]
    blocks[0] = Block(
        kind="p", text=first.text.replace("。", "（此前报道数据有误，现已更正）。", 1)
    )
    note = "本文发布后，记者就相关数据再次向有关部门核实，现予以补充更正。"
    blocks.insert(len(blocks) - 1, Block(kind="p", text=note))
    return dataclasses.replace(
        original,
        headline=original.headline + "（更新）",
        blocks=tuple(blocks),
        editors=(*original.editors[:1], EDITORS[original.channel][-1]),
        revision=2,
    )
