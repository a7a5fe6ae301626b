"""The credits grammar: who wrote, photographed and edited an article.

Variants seen on real pages (both scripts):

* bylines in parentheses: ``（记者王俊禄、林光耀）``, ``(記者 魯毅)``,
  ``（记者张三 通讯员李四）`` — in the first paragraph after the dateline, or at the end
  of the last paragraph;
* role-colon lines: ``[责任编辑:王雪松 邓娴 ]``, ``责任编辑：\\n尹世杰``, ``【责任编辑:张樵苏】``,
  ``[作者: 刘满仓 　责任编辑:\\n 杨丹宇 ]`` (two roles in one bracket), bare
  ``责任编辑： 邱丽芳``, old table cells ``作者：记者某某`` / ``编辑：某某``;
* photo credits: ``新华网 卢志佳 摄``, ``新华社记者 某某 摄``, ``新华社发（刘满仓摄）``,
  ``本报记者 张三 摄``;
* other outlets' reporters, on reposts: ``（贵州日报天眼新闻记者 张三）``, ``（人民网记者 李四）``.

Not credits: subheadings that open with a role word (``记者手记``, ``记者观察``, ``作者简介``),
words after the names (``（记者 张三 报道）``) and sentences that open with one
(``记者近日从县供销合作社获悉，…``).

Roles become canonical simplified labels (:data:`ROLES`); names stay as printed, inner spaces
removed. Several names split on ``、``, ``，``, ``/`` and spaces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from newsarchive.records import Credit

__all__ = [
    "ROLES",
    "byline_credits",
    "closing_credits",
    "credit_line",
    "dedupe",
    "is_credit_only",
    "line_credits",
    "photo_credits",
]

#: Printed role label (either script) → canonical simplified label. Longest labels first
#: matter for the regex below (``责任编辑`` before ``编辑``).
ROLES: dict[str, str] = {
    "责任编辑": "责任编辑",
    "責任編輯": "责任编辑",
    "责编": "责任编辑",
    "責編": "责任编辑",
    "记者": "记者",
    "記者": "记者",
    "通讯员": "通讯员",
    "通訊員": "通讯员",
    "实习生": "实习生",
    "實習生": "实习生",
    "实习记者": "实习生",
    "實習記者": "实习生",
    "摄影": "摄影",
    "攝影": "摄影",
    "图片": "摄影",
    "圖片": "摄影",
    "作者": "作者",
    "编辑": "编辑",
    "編輯": "编辑",
    "校对": "校对",
    "校對": "校对",
    "视频": "视频",
    "視頻": "视频",
    "制图": "制图",
    "製圖": "制图",
    "策划": "策划",
    "策劃": "策划",
    "统筹": "统筹",
    "統籌": "统筹",
    "监制": "监制",
    "監製": "监制",
    "主编": "主编",
    "主編": "主编",
    "审核": "审核",
    "審核": "审核",
    "审校": "校对",
    "審校": "校对",
    "翻译": "翻译",
    "翻譯": "翻译",
    "撰文": "作者",
    "文字": "作者",
    "图文": "作者",
    "圖文": "作者",
    "文/图": "作者",
    "文／图": "作者",
    "文/圖": "作者",
    "文／圖": "作者",
    "海报": "制图",
    "海報": "制图",
    "设计": "制图",
    "設計": "制图",
    # The credit block closing video and feature pages (制片：…, 编导：…, 配音：…).
    "制片": "制片",
    "製片": "制片",
    "编导": "编导",
    "編導": "编导",
    "配音": "配音",
    "摄像": "摄像",
    "攝像": "摄像",
    "剪辑": "剪辑",
    "剪輯": "剪辑",
}
_ROLE_ALT = "|".join(sorted(map(re.escape, ROLES), key=len, reverse=True))
_ROLE_RE = re.compile(rf"({_ROLE_ALT})")
#: ``role:`` (half- or full-width colon); the value runs to the next ``role:`` or the end.
_ROLE_COLON_RE = re.compile(rf"({_ROLE_ALT})\s*[:：]")
_PAREN_RE = re.compile(r"[（(]([^（()）]{1,60})[)）]")
#: A byline's content must open with a role word (记者/通讯员/实习生/摄影…), after the outlet's
#: name if it has one: Xinhua's own and ``本报``-style names, or any outlet named like a paper,
#: site, station or app (``贵州日报天眼新闻记者``, ``中央广播电视总台记者``, ``人民网记者``):
#: at least two characters before the suffix, not starting with a role word.
_KNOWN_AGENCIES = r"新华社|新華社|新华网|新華網|本报|本報|本网|本網|本台|中新社|中新网|中新網"
_OUTLET = (
    rf"(?!{_ROLE_ALT})[\u4e00-\u9fff]{{2,12}}?(?:日报|日報|晚报|晚報|报|報|新闻|新聞|网|網|台|社"
    r"|客户端|客戶端|融媒体中心|融媒體中心|频道|頻道)"
)
_AGENCIES = rf"(?:{_KNOWN_AGENCIES}|{_OUTLET})"
_BYLINE_START_RE = re.compile(rf"^\s*{_AGENCIES}?\s*(?:特约|特約|驻站|駐站)?\s*({_ROLE_ALT})")
_NAME_SPLIT_RE = re.compile(r"[、，,；;/／|｜]+")
_NAME_RE = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff·•．.A-Za-z\-]{1,20}$")
_AGENCY_PREFIX_RE = re.compile(rf"^\s*{_AGENCIES}\s*(?:特约|特約|驻站|駐站)?(?=\s*(?:{_ROLE_ALT}))")
#: Who a photo credit's names follow: an outlet and/or a role (``新华社记者``, ``本报记者``).
_PHOTO_PREFIX = (
    rf"(?:(?:{_KNOWN_AGENCIES})\s*(?:特约|特約)?\s*(?:记者|記者|通讯员|通訊員)?"
    rf"|{_OUTLET}\s*(?:特约|特約)?\s*(?:记者|記者|通讯员|通訊員)|记者|記者|通讯员|通訊員)"
)
_PHOTO_RE = re.compile(
    r"(?:^|[。！？；\s（(】\]])"
    rf"(?P<who>{_PHOTO_PREFIX}?"
    r"[\s\u3000]*[\u3400-\u9fff·][\u3400-\u9fff·、\s\u3000]{0,30}?)"
    r"[\s\u3000]*(?:摄影|攝影|摄|攝)(?=$|[\s）)。】\]])"
)
_PHOTO_PREFIX_RE = re.compile(rf"^{_PHOTO_PREFIX}")
_BRACKETS = "[]【】（）()「」"
#: Words that end a names list (a closing line like ``编辑：张三 点击查看…``).
_STOP_WORDS = ("来源", "來源", "点击", "點擊", "原标题", "原標題")


#: Words that follow a role word in headings and credit lines but are not names: ``记者手记``
#: and ``记者观察`` are subheadings, ``（记者 张三 报道）`` ends with a verb.
_NOT_NAME_WORDS = (
    "报道 報道 摄影报道 攝影報道 图文报道 圖文報道 联合报道 聯合報道 手记 手記 观察 觀察 "
    "调查 調查 简介 簡介 推荐 推薦 专访 專訪 连线 連線 走访 走訪 探访 探訪 笔记 筆記 "
    "札记 札記 实录 實錄 一线 一線 体验 體驗 日记 日記 随笔 隨筆 视角 視角 见闻 見聞 "
    "感言 述评 述評 快评 快評 点评 點評 综述 綜述 直击 直擊 亲历 親歷 讲述 講述 现场 現場 "
    "获悉 獲悉 了解 发现 發現 看到 采访 採訪 整理 供图 供圖 推进 推進 发展 發展 部署 "
    "团队 團隊 小组 小組 协会 協會"
)
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())
#: A run of Chinese longer than any name (names have 2–4 characters; transliterated ones
#: carry a ``·``): after a role word it means a sentence, not a list of names.
_PROSE_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{7,}")
_CJK_NAME_RE = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]{2,4}$")
_LATIN_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z.\-]{1,30}$")


def _is_name(token: str) -> bool:
    """A person's name: 2–4 Chinese characters, a transliterated name with ``·``, or Latin."""
    if not token or token in _NOT_NAMES or not _NAME_RE.match(token):
        return False
    if _ROLE_RE.search(token):  # 记者, 本报记者, 新华社记者: a role, not a person
        return False
    if "·" in token or "•" in token:
        return len(token) <= 16
    return bool(_CJK_NAME_RE.match(token) or _LATIN_NAME_RE.match(token))


def _names(value: str) -> list[str]:
    """Split a names value into names; tokens that are not name-shaped are dropped."""
    value = value.strip().strip(_BRACKETS).strip()
    for stop in _STOP_WORDS:
        if stop in value:
            value = value[: value.index(stop)]
    names: list[str] = []
    for part in _NAME_SPLIT_RE.split(value):
        tokens = part.split()
        # "鲁 毅": single characters separated by a space are one name printed spaced out.
        if tokens and all(len(t) == 1 for t in tokens):
            tokens = ["".join(tokens)]
        for raw in tokens:
            token = raw.strip(_BRACKETS + "：:。.，,")
            if _is_name(token):
                names.append(token)
    return names


def _role_value_credits(role_label: str, value: str) -> list[Credit]:
    """Credits for ``role: value``; a value may open with another role (``作者：记者某某``)."""
    role = ROLES[role_label]
    value = value.strip()
    inner = _ROLE_RE.match(value)
    if inner is not None and inner.end() < len(value):
        role = ROLES[inner.group(1)]
        value = value[inner.end() :]
    return [Credit(role=role, name=name) for name in _names(value)]


def credit_line(text: str) -> list[Credit]:
    """Credits in a role-colon line: ``[作者: 刘满仓 　责任编辑:\\n 杨丹宇 ]`` → two credits."""
    matches = list(_ROLE_COLON_RE.finditer(text))
    credits: list[Credit] = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = text[m.end() : end]
        # A bracket closes the credit block: "[责任编辑: 曾鹏] 其他" stops at "]",
        # "( 编辑： 朱英 ) 【字号 大 小】" at ")".
        for closer in ("]", "】", ")", "）"):
            if closer in value:
                value = value[: value.index(closer)]
        credits.extend(_role_value_credits(m.group(1), value))
    return credits


def _byline_content(content: str) -> list[Credit]:
    """``记者王俊禄、林光耀 通讯员张三`` → credits, each name with the role before it."""
    start = _BYLINE_START_RE.match(content)
    if start is None:
        return []
    content = _AGENCY_PREFIX_RE.sub("", content.strip())
    parts = _ROLE_RE.split(content)
    credits: list[Credit] = []
    # parts = ["", role, names, role, names, ...]
    for i in range(1, len(parts) - 1, 2):
        role = ROLES[parts[i]]
        names_text = parts[i + 1].lstrip(":： ")
        if _PROSE_RE.search(names_text):  # 记者近日从县供销合作社获悉，…: a sentence
            return []
        credits.extend(Credit(role=role, name=name) for name in _names(names_text))
    return credits


def byline_credits(text: str) -> list[Credit]:
    """Credits from parenthesised bylines anywhere in a paragraph (``（记者唐霁）``).

    Parentheses whose content does not open with a role word (``（受访者供图）``,
    ``（区、市）``) are ignored; photo credits ``（刘满仓摄）`` are left to
    :func:`photo_credits`.
    """
    credits: list[Credit] = []
    for m in _PAREN_RE.finditer(text):
        content = m.group(1)
        if re.search(r"(?:摄|攝)(?:影)?\s*$", content) and not _ROLE_COLON_RE.search(content):
            continue
        credits.extend(_byline_content(content))
    return credits


def photo_credits(text: str) -> list[Credit]:
    """Photographers from ``… 新华网 卢志佳 摄`` / ``（刘满仓摄）`` / ``新华社记者 某某 摄``."""
    credits: list[Credit] = []
    for m in _PHOTO_RE.finditer(text):
        who = m.group("who").strip()
        who = _PHOTO_PREFIX_RE.sub("", who)
        credits.extend(Credit(role="摄影", name=n) for n in _names(who) if len(n) <= 4)
    return credits


_CREDIT_ONLY_RE = re.compile(
    rf"^[\[【（(]?\s*(?:{_AGENCIES}(?:特约|特約|驻站|駐站)?(?:记者|記者|发|發)?\s*)?"
    rf"(?:(?:{_ROLE_ALT})\s*[:：]?[^。！？]{{0,40}}?|[^。！？（(]{{0,12}}[（(][^）)]{{1,30}}[)）]|"
    rf"[\u3400-\u9fff·、\s]{{1,30}}(?:摄|攝)(?:影)?)\s*[\]】）)]?$"
)


#: ``新华社音视频部出品``, ``新华网 出品``: the producing outlet of a video or feature page.
_PRODUCED_BY_RE = re.compile(
    r"^[\[【]?\s*(?P<who>[\u4e00-\u9fff·A-Za-z]{2,20}?)\s*(?:联合)?出品[\]】]?$"
)
#: A bare name (or names) in brackets closing an article's last paragraph:
#: ``…投入运营。（张某某）``.
_CLOSING_NAMES_RE = re.compile(
    r"[（(](?P<names>[\u4e00-\u9fff·]{2,8}(?:[、，\s]+[\u4e00-\u9fff·]{2,8}){0,3})[)）]$"
)
#: Closing brackets that are not names: ``（完）``, ``（待续）``, ``（之一）``, ``（据新华社）``.
_NOT_CLOSING_WORDS = (
    "待续 待續 未完 续完 續完 全文完 本文完 结束 結束 之一 之二 之三 上篇 下篇 中篇 摘编 摘編 "
    "编译 編譯 综合 綜合 图文 圖文 视频 視頻 评论 評論 社论 社論"
)
_NOT_CLOSING_NAMES = frozenset(_NOT_CLOSING_WORDS.split())
_SOURCE_LIKE_RE = re.compile(rf"^(?:据|據|来源|來源)|^(?:{_KNOWN_AGENCIES})|^{_OUTLET}$")

#: Bullets some pages print before a credits line (``■记者 张三``).
_BULLETS = "■□▲△●○◆◇★☆▶▷·• "


def is_credit_only(text: str) -> bool:
    """Whether a whole paragraph is a credits line (``（记者 鲁毅）``, ``[责任编辑: 曾鹏]``,
    ``新华社发（刘满仓摄）``, ``新华网 卢志佳 摄``, ``本报记者 李四 通讯员 王五``) rather than
    body text."""
    text = text.strip().lstrip(_BULLETS)
    if not text or len(text) > 60:
        return False
    if _PRODUCED_BY_RE.match(text) is not None:
        return True
    if _CREDIT_ONLY_RE.match(text) is None:
        return False
    return bool(credit_line(text) or byline_credits(text) or photo_credits(text)) or bool(
        _byline_content(text.strip(_BRACKETS))
    )


def line_credits(text: str) -> list[Credit]:
    """Every credit in a credits-only line, whichever form it takes."""
    text = text.strip().lstrip(_BULLETS)
    if (produced := _PRODUCED_BY_RE.match(text)) is not None:
        return [Credit(role="出品", name=produced.group("who").strip())]
    found = credit_line(text) + byline_credits(text) + photo_credits(text)
    if not found:
        found = _byline_content(text.strip().strip(_BRACKETS))
    return found


def closing_credits(text: str) -> list[Credit]:
    """Authors named bare in brackets at the very end of an article's last paragraph
    (``…正式投入运营。（张某某）``, ``（张三 李四）``): role ``作者``. Brackets that are not
    names (``（完）``, ``（待续）``, ``（据新华社）``, an outlet) give nothing; bylines with a
    role word are :func:`byline_credits`' business."""
    m = _CLOSING_NAMES_RE.search(text.rstrip())
    if m is None:
        return []
    value = m.group("names")
    if value in _NOT_CLOSING_NAMES or _ROLE_RE.search(value) or _SOURCE_LIKE_RE.search(value):
        return []
    names = _names(value)
    if not names or any(n in _NOT_CLOSING_NAMES for n in names):
        return []
    return [Credit(role="作者", name=name) for name in names]


def dedupe(credits: Iterable[Credit]) -> tuple[Credit, ...]:
    """Credits in first-seen order without repeats."""
    seen: set[tuple[str, str]] = set()
    out: list[Credit] = []
    for credit in credits:
        key = (credit.role, credit.name)
        if key not in seen:
            seen.add(key)
            out.append(credit)
    return tuple(out)
