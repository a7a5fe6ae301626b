"""The operator's configuration: a TOML settings file, environment variables and options.

Precedence, lowest first: built-in defaults < the settings file < environment variables
``NEWSARCHIVE_*`` < command-line options. The settings file is the one named by ``--config``,
else by ``NEWSARCHIVE_CONFIG``, else ``./newsarchive.toml`` if it exists; relative paths in it
are relative to the file's directory. :func:`load` returns the typed :class:`Config` and, for
``newsarchive config``, where each value came from; :func:`scrapy_settings` turns it into the
Scrapy settings overrides the crawl runner applies.

The file (see ``deploy/newsarchive.toml.example``)::

    [crawl]
    channels = ["gz"]
    archive = "/var/lib/newsarchive/archive.db"
    revisit_days = 3

    [politeness]
    delay = 1.0
    concurrency = 2
    autothrottle = true
    user_agent = "newsarchive/0.1"
    contact = "mailto:archivist@example.org"
    proxy = ""

    [log]
    file = "/var/log/newsarchive/crawl.log"
    max_bytes = 10485760
    backups = 5
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from newsarchive import __version__, channels

#: Environment variable naming the settings file.
CONFIG_ENV = "NEWSARCHIVE_CONFIG"
#: The settings file looked for in the working directory when none is named.
DEFAULT_FILE = "newsarchive.toml"
#: The default User-Agent; ``{contact}`` is replaced by the contact setting.
DEFAULT_USER_AGENT = (
    f"newsarchive/{__version__} (research archive of Xinhua provincial news; +{{contact}})"
)
#: The contact sent when none is configured: where to read what the crawler is.
DEFAULT_CONTACT = "https://github.com/newsarchive/newsarchive"


def user_agent(template: str, contact: str) -> str:
    """``template`` with ``{contact}`` filled in (``DEFAULT_CONTACT`` when ``contact`` is
    empty); a template without the placeholder is used as it is."""
    return template.replace("{contact}", contact.strip() or DEFAULT_CONTACT)


class ConfigError(ValueError):
    """A settings file, environment variable or option that cannot be used; the message
    names the file or variable and the value."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Config:
    """The effective configuration of a scheduled crawl."""

    channels: tuple[str, ...] = ("gz",)
    """Channel codes to crawl (``newsarchive/channels.toml``)."""
    archive: Path = Path("data/archive.db")
    """The SQLite archive the crawl writes."""
    revisit_days: float = 3.0
    """Known articles published or last seen within this many days are fetched again, so
    edits and takedowns are caught; older known articles are skipped. 0 turns revisits off."""
    revisit_after_hours: float = 12.0
    """A recent article is fetched again only if its last fetch is this many hours old (an
    hourly schedule then re-checks it about twice a day, not every hour)."""
    mirror: str = ""
    """Base URL of a ``<host>/<path>`` copy of the sites to fetch from instead of the real
    hosts (re-crawling a saved copy; tests); empty for the real sites."""
    lock_wait: float = 0.0
    """Seconds to wait for another run's writer lock before giving up (exit code 4)."""
    delay: float = 1.0
    """Seconds between requests to one host (Scrapy ``DOWNLOAD_DELAY``)."""
    concurrency: int = 2
    """Requests in flight per host (``CONCURRENT_REQUESTS_PER_DOMAIN``)."""
    autothrottle: bool = True
    """Adapt the delay to the server's latency (Scrapy AutoThrottle)."""
    user_agent: str = DEFAULT_USER_AGENT
    """The User-Agent header; ``{contact}`` in it is replaced by :attr:`contact`."""
    contact: str = ""
    """How the site's operators can reach you (``mailto:…`` or a URL); empty sends the
    project's URL."""
    proxy: str = ""
    """An HTTP(S) proxy URL for every request; empty for none."""
    log_file: Path | None = None
    """Also write the log to this file, rotated by size; ``None`` for stderr only."""
    log_max_bytes: int = 10 * 1024 * 1024
    """Rotate the log file when it reaches this size."""
    log_backups: int = 5
    """Rotated log files kept (``crawl.log.1`` … ``crawl.log.N``)."""

    @property
    def full_user_agent(self) -> str:
        """The User-Agent header sent (what the crawler's User-Agent middleware makes of
        ``USER_AGENT`` and ``NEWSARCHIVE_CONTACT``)."""
        return user_agent(self.user_agent, self.contact)


#: The built-in defaults: the one source of the politeness, archive and revisit defaults that
#: the Scrapy project settings (:mod:`newsarchive.settings`) and ``newsarchive crawl`` share.
DEFAULTS = Config()


@dataclass(frozen=True, kw_only=True, slots=True)
class Resolved:
    """A configuration and the origin of each of its values."""

    config: Config
    sources: Mapping[str, str]
    """Field name → ``default``, ``file <path>``, ``env NEWSARCHIVE_…`` or ``option``."""
    file: Path | None
    """The settings file read, if any."""


@dataclass(frozen=True, kw_only=True, slots=True)
class _Field:
    name: str
    section: str
    key: str
    parse: Callable[[object, str], Any]
    """``(raw value, where) → value``; raises :class:`ConfigError`."""
    path: bool = False
    """A path, resolved against the settings file's directory."""
    env_name: str = ""
    """The environment variable, if not ``NEWSARCHIVE_<NAME>``."""

    @property
    def env(self) -> str:
        return self.env_name or "NEWSARCHIVE_" + self.name.upper()


def _str(raw: object, where: str) -> str:
    if not isinstance(raw, str):
        raise ConfigError(f"{where}: expected a string, got {raw!r}")
    return raw.strip()


def _optional_path(raw: object, where: str) -> Path | None:
    text = _str(raw, where)
    return Path(text).expanduser() if text else None


def _path(raw: object, where: str) -> Path:
    path = _optional_path(raw, where)
    if path is None:
        raise ConfigError(f"{where}: a path is required")
    return path


def _float(raw: object, where: str) -> float:
    if isinstance(raw, bool):
        raise ConfigError(f"{where}: expected a number, got {raw!r}")
    try:
        value = float(raw) if isinstance(raw, int | float | str) else float("nan")
    except ValueError:
        raise ConfigError(f"{where}: expected a number, got {raw!r}") from None
    if not value >= 0:  # also rejects NaN
        raise ConfigError(f"{where}: expected a number ≥ 0, got {raw!r}")
    return value


def _int(raw: object, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise ConfigError(f"{where}: expected a whole number, got {raw!r}")
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{where}: expected a whole number, got {raw!r}") from None
    if value < 1:
        raise ConfigError(f"{where}: expected a whole number ≥ 1, got {raw!r}")
    return value


def _bool(raw: object, where: str) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
    raise ConfigError(f"{where}: expected true or false, got {raw!r}")


def _channels(raw: object, where: str) -> tuple[str, ...]:
    if isinstance(raw, str):
        items: list[object] = list(raw.replace(",", " ").split())
    elif isinstance(raw, list | tuple):
        items = list(raw)
    else:
        raise ConfigError(f"{where}: expected a list of channel codes, got {raw!r}")
    codes: list[str] = []
    known = channels.registry()
    for item in items:
        code = _str(item, where).lower()
        if code not in known:
            raise ConfigError(f"{where}: unknown channel {code!r}; known: {', '.join(known)}")
        if code not in codes:
            codes.append(code)
    if not codes:
        raise ConfigError(f"{where}: at least one channel is required")
    return tuple(codes)


_FIELDS: tuple[_Field, ...] = (
    _Field(name="channels", section="crawl", key="channels", parse=_channels),
    _Field(
        name="archive",
        section="crawl",
        key="archive",
        parse=_path,
        path=True,
        env_name="NEWSARCHIVE_DB",  # the name every command's --db reads
    ),
    _Field(name="revisit_days", section="crawl", key="revisit_days", parse=_float),
    _Field(name="revisit_after_hours", section="crawl", key="revisit_after_hours", parse=_float),
    _Field(name="mirror", section="crawl", key="mirror", parse=_str),
    _Field(name="lock_wait", section="crawl", key="lock_wait", parse=_float),
    _Field(name="delay", section="politeness", key="delay", parse=_float),
    _Field(name="concurrency", section="politeness", key="concurrency", parse=_int),
    _Field(name="autothrottle", section="politeness", key="autothrottle", parse=_bool),
    _Field(name="user_agent", section="politeness", key="user_agent", parse=_str),
    _Field(name="contact", section="politeness", key="contact", parse=_str),
    _Field(name="proxy", section="politeness", key="proxy", parse=_str),
    _Field(name="log_file", section="log", key="file", parse=_optional_path, path=True),
    _Field(name="log_max_bytes", section="log", key="max_bytes", parse=_int),
    _Field(name="log_backups", section="log", key="backups", parse=_int),
)
_BY_NAME = {f.name: f for f in _FIELDS}


def find_file(explicit: Path | None, env: Mapping[str, str], cwd: Path) -> Path | None:
    """The settings file to read: ``explicit``, else ``$NEWSARCHIVE_CONFIG``, else
    ``cwd/newsarchive.toml`` if present. A named file that does not exist is an error."""
    if explicit is not None:
        named, where = explicit, "--config"
    elif env.get(CONFIG_ENV):
        named, where = Path(env[CONFIG_ENV]).expanduser(), CONFIG_ENV
    else:
        default = cwd / DEFAULT_FILE
        return default if default.is_file() else None
    if not named.is_file():
        raise ConfigError(f"{where}: settings file {str(named)!r} does not exist")
    return named


def _read_file(path: Path) -> dict[str, tuple[object, str]]:
    """Field name → (raw value, ``where``) for every value the file sets."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read settings file {str(path)!r}: {exc}") from exc
    sections = {f.section for f in _FIELDS}
    found: dict[str, tuple[object, str]] = {}
    for section, table in data.items():
        if section not in sections or not isinstance(table, dict):
            raise ConfigError(
                f"{path}: unknown section [{section}]; expected {', '.join(sorted(sections))}"
            )
        keys = {f.key: f for f in _FIELDS if f.section == section}
        for key, raw in table.items():
            if key not in keys:
                raise ConfigError(
                    f"{path}: unknown setting {section}.{key}; "
                    f"expected one of {', '.join(sorted(keys))}"
                )
            found[keys[key].name] = (raw, f"{path} [{section}] {key}")
    return found


def load(
    *,
    config_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    options: Mapping[str, object] | None = None,
    cwd: Path | None = None,
) -> Resolved:
    """The effective configuration.

    ``options`` maps :class:`Config` field names to command-line values; ``None`` values
    (an option not given) are skipped. ``env`` defaults to :data:`os.environ`.
    """
    env = os.environ if env is None else env
    cwd = Path.cwd() if cwd is None else cwd
    values: dict[str, Any] = {}
    sources: dict[str, str] = {f.name: "default" for f in _FIELDS}

    path = find_file(config_file, env, cwd)
    if path is not None:
        base = path.resolve().parent
        for name, (raw, where) in _read_file(path).items():
            field = _BY_NAME[name]
            value = field.parse(raw, where)
            if field.path and isinstance(value, Path) and not value.is_absolute():
                value = base / value
            values[name] = value
            sources[name] = f"file {path}"
    for field in _FIELDS:
        if field.env in env:
            values[field.name] = field.parse(env[field.env], field.env)
            sources[field.name] = f"env {field.env}"
    for name, raw in (options or {}).items():
        if raw is None:
            continue
        if name not in _BY_NAME:
            raise ConfigError(f"unknown configuration option {name!r}")
        field = _BY_NAME[name]
        option = "--" + name.replace("_", "-")
        values[name] = raw if isinstance(raw, Path) else field.parse(raw, option)
        sources[name] = "option"
    return Resolved(config=replace(Config(), **values), sources=sources, file=path)


def describe(resolved: Resolved) -> list[tuple[str, str, str, str]]:
    """Rows of ``(section.key, value, source, environment variable)`` for display."""
    rows = []
    cfg = resolved.config
    for field in _FIELDS:
        value = getattr(cfg, field.name)
        if isinstance(value, tuple):
            shown = ", ".join(value)
        elif value is None:
            shown = ""
        else:
            shown = str(value)
        rows.append(
            (f"{field.section}.{field.key}", shown, resolved.sources[field.name], field.env)
        )
    return rows


def as_toml_dict(cfg: Config) -> dict[str, dict[str, object]]:
    """The configuration as the settings file's tables (paths as strings, unset as ``""``)."""
    out: dict[str, dict[str, object]] = {}
    for field in _FIELDS:
        value = getattr(cfg, field.name)
        if isinstance(value, Path):
            value = str(value)
        elif isinstance(value, tuple):
            value = list(value)
        elif value is None:
            value = ""
        out.setdefault(field.section, {})[field.key] = value
    return out


def scrapy_settings(cfg: Config) -> dict[str, object]:
    """Scrapy settings overrides for ``cfg`` (applied at command-line priority by the crawl
    runner; ``NEWSARCHIVE_*`` keys are read by our components)."""
    settings: dict[str, object] = {
        "DOWNLOAD_DELAY": cfg.delay,
        "CONCURRENT_REQUESTS_PER_DOMAIN": cfg.concurrency,
        "AUTOTHROTTLE_ENABLED": cfg.autothrottle,
        "USER_AGENT": cfg.full_user_agent,  # filled in: Scrapy's settings dump shows it
        "NEWSARCHIVE_CONTACT": cfg.contact,
        "NEWSARCHIVE_PROXY": cfg.proxy,
        "NEWSARCHIVE_REVISIT_DAYS": cfg.revisit_days,
        "NEWSARCHIVE_REVISIT_AFTER_HOURS": cfg.revisit_after_hours,
        "NEWSARCHIVE_DB": str(cfg.archive),
    }
    if cfg.mirror:
        settings["NEWSARCHIVE_MIRROR"] = cfg.mirror
    return settings
