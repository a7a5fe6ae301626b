"""Dates as users type them: one parser for every command that takes a date.

``search``/``export`` (``--since``/``--until`` against ``published_at``) and ``crawl``
(``--since``/``--until``, the channel spider's ``since``/``until`` arguments) accept the same
forms: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or a full ISO 8601 time. A year, month or day
means that whole period in Beijing time (Xinhua's dates are ``+08:00``): ``--since 2024`` is
from 2024-01-01, ``--until 2024-05`` through 2024-05-31.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

#: Xinhua publishes in Beijing time; periods and times are taken in it.
BEIJING = timezone(timedelta(hours=8))

#: The forms accepted, as error messages and help texts name them.
FORMS = "YYYY, YYYY-MM, YYYY-MM-DD or an ISO 8601 time"


@dataclass(frozen=True, kw_only=True, slots=True)
class Period:
    """What a typed date means."""

    text: str
    """The period as ISO text in Beijing time: ``2024``, ``2024-05``, ``2024-05-03``, or a
    full time (``2024-05-03T11:00:00+08:00``); a prefix of every ``published_at`` in it."""
    first_day: date
    """The period's first day (Beijing time)."""
    last_day: date
    """The period's last day (Beijing time)."""


def parse(value: str) -> Period:
    """``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or a full ISO time → the :class:`Period` it names.

    A full time with an offset (``2024-03-04T03:00:00Z``) is converted to Beijing time; one
    without an offset is taken as Beijing time. :class:`ValueError` (naming the forms) for
    anything else.
    """
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            year = int(text)
            return Period(text=text, first_day=date(year, 1, 1), last_day=date(year, 12, 31))
        if re.fullmatch(r"\d{4}-\d{2}", text):
            year, month = int(text[:4]), int(text[5:])
            first = date(year, month, 1)
            last = first.replace(day=calendar.monthrange(year, month)[1])
            return Period(text=first.isoformat()[:7], first_day=first, last_day=last)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            return Period(text=day.isoformat(), first_day=day, last_day=day)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a date: {text!r} (use {FORMS})") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    moment = moment.astimezone(BEIJING)
    return Period(text=moment.isoformat(), first_day=moment.date(), last_day=moment.date())
