"""Publication times and wire datelines: the one place the extractor reads dates.

Every reader of a printed date (template headers, old table cells, ``<meta>`` times, the
generic fallback) calls this module: the date pattern (``2019年12月10日 07:57``,
``2019-12-10 07:57:40``, ``2024/05/15``…) is written once, in :data:`DATETIME_RE`.

Xinhua prints Beijing time without a zone: a time without an offset is ISO 8601 in
Asia/Shanghai (``+08:00``). A time that carries its own offset keeps it (``-05:00`` stays
``-05:00``: an evening in New York is not moved to the next Beijing day). The text as
printed is kept beside it by the caller (:func:`find_datetime` gives both).
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from newsarchive.records import Dateline

__all__ = [
    "DATETIME_RE",
    "DATE_START",
    "dateline_datetime",
    "find_datetime",
    "has_time_of_day",
    "parse_dateline",
    "parse_datetime",
    "starts_like_a_date",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")

#: A printed date, optionally with its time of day: ``2019年12月10日 07:57``,
#: ``2019-12-10 07:57:40``, ``2024/05/15``, ``2012年11月26日10:05``, ``10时05分``.
DATETIME_RE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*T?\s*(?P<H>\d{1,2})\s*[:：时時]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?)?"
)
#: The start of a printed date (year and month): ``2019年12``, ``2019-12``, ``2019/12``
#: (a pattern, for readers that stop a value where a date starts).
DATE_START = r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}"
_DATE_START_RE = re.compile(DATE_START)
_ISO_RE = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})T(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
    r"(?:\.\d+)?(?P<z>Z|[+-]\d{2}:?\d{2})?"
)
_MONTH_DAY_RE = re.compile(r"(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")

_AGENCIES = (
    "新华社",
    "新華社",
    "新华网",
    "新華網",
    "中新社",
    "中新网",
    "中新網",
    "人民网",
    "人民網",
    "本报",
    "本報",
    "本网",
    "本網",
    "本台",
)
_DATELINE_RE = re.compile(
    r"^[\s\u3000\xa0]*[【\[]?(?P<agency>"
    + "|".join(_AGENCIES)
    + r")(?P<place>[\u4e00-\u9fff]{1,10}?)?\s*"
    r"(?P<date>\d{1,2}\s*月\s*\d{1,2}\s*日(?:\s*\d{1,2}\s*[时時](?:\s*\d{1,2}\s*分)?)?)?"
    r"\s*(?P<verb>新媒体专电|新媒體專電|专电|專電|电|電|讯|訊|消息)[】\]]?"
)
#: Another outlet's news line: ``贵州日报天眼新闻讯``, ``人民网讯``, ``黔东南日报讯（记者…）``.
_OUTLET_NEWS_RE = re.compile(
    r"^[\s\u3000\xa0]*[【\[]?(?P<agency>[\u4e00-\u9fff]{1,16}?"
    r"(?:日报|日報|晚报|晚報|新闻|新聞|网|網|客户端|客戶端|融媒|融媒体|融媒體))"
    r"(?P<date>\d{1,2}\s*月\s*\d{1,2}\s*日)?\s*(?P<verb>讯|訊)[】\]]?"
)


def _build(parts: tuple[int, ...]) -> str | None:
    """``(y, m, d[, H, M, S])`` → ISO 8601 in Beijing time; ``None`` for an impossible date."""
    y, m, d, hh, mm, ss = (*parts, 0, 0, 0)[:6]
    try:
        return datetime(y, m, d, hh, mm, ss, tzinfo=SHANGHAI).isoformat()
    except (ValueError, OverflowError):
        return None


def parse_datetime(text: str | None) -> str | None:
    """The first date-time in ``text`` as ISO 8601; ``None`` if none parses.

    Accepts ``2023-11-27 10:46:00``, ``2019年12月10日 07:57``, `` 2019-12-10 07:57:40``,
    ``2024/05/15`` (Beijing time, ``+08:00``) and ``2023-11-27T10:46:00-05:00`` (its own
    offset kept; ``Z`` is ``+00:00``). A date without a time gets ``00:00:00``.
    """
    found = find_datetime(text)
    return found[0] if found is not None else None


def find_datetime(text: str | None) -> tuple[str, str] | None:
    """The first date-time in ``text``: ``(ISO 8601, the substring as printed)``, e.g.
    ``2022-09-29 16:09:32 来源：新华网`` → ``("2022-09-29T16:09:32+08:00",
    "2022-09-29 16:09:32")``; ``None`` if none parses."""
    if not text:
        return None
    if (m := _ISO_RE.search(text)) is not None and m.group("z"):
        zone = m.group("z").replace("Z", "+00:00")
        if ":" not in zone:
            zone = zone[:3] + ":" + zone[3:]
        try:
            moment = datetime.fromisoformat(
                f"{m['y']}-{m['m']}-{m['d']}T{m['H']}:{m['M']}:{m['S'] or '00'}{zone}"
            )
        except ValueError:
            return None
        return moment.isoformat(), m.group(0)
    for m in DATETIME_RE.finditer(text):
        parts = tuple(int(m.group(g)) if m.group(g) else 0 for g in ("y", "m", "d", "H", "M", "S"))
        built = _build(parts)
        if built is not None:
            return built, m.group(0).strip()
    return None


def has_time_of_day(printed: str) -> bool:
    """Whether a printed date carries a time of day (``2024-05-15 08:58`` does,
    ``2024年11月25日 星期一`` does not)."""
    m = DATETIME_RE.search(printed)
    return m is not None and m.group("H") is not None


def starts_like_a_date(text: str) -> bool:
    """Whether ``text`` holds the start of a printed date (``2019年12``, ``2019-12``)."""
    return _DATE_START_RE.search(text) is not None


def parse_dateline(text: str) -> Dateline | None:
    """The wire dateline opening ``text`` (``新华社贵阳11月27日电``, ``本报讯``,
    ``贵州日报天眼新闻讯``), or ``None``."""
    return _wire_dateline(text) or _outlet_dateline(text)


def _wire_dateline(text: str) -> Dateline | None:
    m = _DATELINE_RE.match(text)
    if m is None:
        return None
    agency = m.group("agency")
    place = m.group("place") or None
    date = m.group("date")
    verb = m.group("verb")
    if verb in ("讯", "訊") and not agency.startswith(("本", "中新")) and not date:
        return None
    if verb == "消息" and not date:
        return None
    if agency.startswith(("新华", "新華", "中新", "人民")) and not date and place is None:
        return None
    return _dateline(m, agency, place)


def _outlet_dateline(text: str) -> Dateline | None:
    m = _OUTLET_NEWS_RE.match(text)
    return None if m is None else _dateline(m, m.group("agency"), None)


def _dateline(m: re.Match[str], agency: str, place: str | None) -> Dateline:
    date = m.group("date")
    return Dateline(
        agency=agency,
        place=place,
        date_text=re.sub(r"\s+", "", date) if date else None,
        raw=m.group(0).strip().strip("【】[]").strip(),
    )


def dateline_datetime(dateline: Dateline, year: int | None, month: int | None = None) -> str | None:
    """The dateline's date in ``year`` (midnight, ``+08:00``); ``None`` without both.

    ``month`` is the month of the date ``year`` comes from (the URL's): a dateline later in
    the year than that (``12月31日`` in a ``2020-01/01`` directory) is from the year before."""
    if dateline.date_text is None or year is None:
        return None
    m = _MONTH_DAY_RE.search(dateline.date_text)
    if m is None:
        return None
    day_month = int(m.group("m"))
    if month is not None and day_month > month:
        year -= 1
    return _build((year, day_month, int(m.group("d"))))
