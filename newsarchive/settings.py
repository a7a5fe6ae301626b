"""Scrapy settings of the newsarchive project (``scrapy.cfg`` points here).

Each ``NEWSARCHIVE_*`` setting's default is written once: here, or, for the ones an operator
sets in the settings file (politeness, archive, revisits), in :class:`newsarchive.config.Config`,
which this module reads. Components fall back to the values of this module.

Polite by default: robots.txt obeyed, AutoThrottle on, at most two requests at a time per
host, a one-second base delay, retries with exponential backoff on 5xx and timeouts, a
response size limit, and a User-Agent that says who is crawling and how to reach them
(set ``NEWSARCHIVE_CONTACT``; the environment variable of that name works too).

``newsarchive crawl --no-politeness`` (spider argument ``polite=0``) switches AutoThrottle,
delay and backoff off for local mirrors and benchmarks; see
:data:`newsarchive.crawling.options.IMPOLITE_SETTINGS`.
"""

from __future__ import annotations

import os

from scrapy.settings import default_settings

from newsarchive import config

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# --- who we are ------------------------------------------------------------------------------
#: Where a site operator can reach whoever runs this crawl (a URL or a mail address).
NEWSARCHIVE_CONTACT = os.environ.get("NEWSARCHIVE_CONTACT", config.DEFAULTS.contact)
#: The User-Agent with the contact filled in (a ``{contact}`` in a USER_AGENT given on the
#: command line is filled by newsarchive.crawling.middlewares).
USER_AGENT = config.user_agent(config.DEFAULTS.user_agent, NEWSARCHIVE_CONTACT)

# --- politeness ------------------------------------------------------------------------------
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = config.DEFAULTS.concurrency
DOWNLOAD_DELAY = config.DEFAULTS.delay
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = config.DEFAULTS.autothrottle
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
#: First retry waits this many seconds, doubled per attempt (0 = no backoff).
NEWSARCHIVE_RETRY_BACKOFF = 2.0
NEWSARCHIVE_RETRY_BACKOFF_MAX = 60.0

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "newsarchive.crawling.middlewares.ContactUserAgentMiddleware": 500,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newsarchive.crawling.middlewares.BackoffRetryMiddleware": 550,
    # robots.txt per RFC 9309 (unreachable or 5xx: nothing from that host for now; 4xx: no
    # rules), its verdict given to every waiting request (Scrapy 2.19 lets all but the first
    # through unchecked, and allows everything when robots.txt does not arrive).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newsarchive.crawling.robots.RobotsMiddleware": 100,
    # Nothing leaves the crawl's channels (newsarchive.crawling.offsite): every request is
    # checked first, and a redirect off the channels is refused before it is followed
    # (Scrapy follows it, and fetches the other host's robots.txt, before any check).
    "newsarchive.crawling.offsite.ChannelHostsMiddleware": 60,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "newsarchive.crawling.offsite.ScopedMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "newsarchive.crawling.offsite.ScopedRedirectMiddleware": 600,
    # Sets meta["proxy"] from NEWSARCHIVE_PROXY for Scrapy's HttpProxyMiddleware (750).
    "newsarchive.crawling.proxy.ProxyMiddleware": 740,
}
#: Seconds after which an unreachable robots.txt is asked again (meanwhile nothing is
#: fetched from its host; newsarchive.crawling.robots).
NEWSARCHIVE_ROBOTS_RECHECK = 600.0
#: An HTTP(S) proxy for every request; empty for none (``politeness.proxy`` in the config).
NEWSARCHIVE_PROXY = config.DEFAULTS.proxy

# --- transport -------------------------------------------------------------------------------
#: Base URL of a ``<host>/<path>`` site copy to fetch from instead of the real hosts (the
#: demo, the tests, re-crawling a saved copy); empty for the real sites.
NEWSARCHIVE_MIRROR = config.DEFAULTS.mirror
DOWNLOAD_HANDLERS = {
    "http": "newsarchive.crawling.mirrorhandler.MirrorDownloadHandler",
    "https": "newsarchive.crawling.mirrorhandler.MirrorDownloadHandler",
}

# --- what happens to pages -------------------------------------------------------------------
#: Run the extractor on fetched pages (off only for the crawl benchmark's baseline).
NEWSARCHIVE_EXTRACT = True
#: The archive the store pipeline writes.
NEWSARCHIVE_DB = os.environ.get("NEWSARCHIVE_DB", str(config.DEFAULTS.archive))
#: Items stored together (one event-loop turn) share one commit, at most this many
#: (pipelines.store); each item completes only once committed.
NEWSARCHIVE_STORE_GROUP = 100
#: Seconds a group commit waits for more items (0: only the items of one event-loop turn).
NEWSARCHIVE_STORE_LINGER = 0.0
#: normalise → validate → store (each module's docstring says what it does).
ITEM_PIPELINES = {
    "pipelines.normalise.NormalisePipeline": 100,
    "pipelines.validate.ValidatePipeline": 200,
    "pipelines.store.StorePipeline": 300,
}

# --- scheduled crawling (newsarchive.crawling.incremental, newsarchive.crawling.frontier) --
#: Skip articles the archive already holds and stop paginating columns with nothing new
#: (active only when NEWSARCHIVE_DB exists).
NEWSARCHIVE_INCREMENTAL = True
#: Archived articles published (or first seen) this many days ago or later are fetched again.
NEWSARCHIVE_REVISIT_DAYS = config.DEFAULTS.revisit_days
#: ...when their last fetch is at least this many hours old.
NEWSARCHIVE_REVISIT_AFTER_HOURS = config.DEFAULTS.revisit_after_hours
#: Article URLs that answered 404/410 (broken links, takedowns) this many days ago or later
#: are not requested again yet (0: always).
NEWSARCHIVE_GONE_RECHECK_DAYS = 7.0
#: The incremental filter sees the spider's output first (950); the frontier (900) records
#: the requests that are made with their page's item, and takes up what earlier runs left.
SPIDER_MIDDLEWARES = {
    "newsarchive.crawling.incremental.IncrementalMiddleware": 950,
    "newsarchive.crawling.frontier.FrontierMiddleware": 900,
}
EXTENSIONS = {
    # The crawl_runs row, progress, and stop when the archive cannot be written.
    "newsarchive.crawling.crawlrun.CrawlRunExtension": 10,
}
# Scrapy (2.19) imports every component of its base lists at start, switched off or not. Those
# we never use cost a quarter of a second of start-up (issue 18): the remote-control server
# (aiohttp), the telnet console (TELNETCONSOLE_ENABLED is off) and the cookies middleware
# (tldextract; COOKIES_ENABLED is off). The base lists are Scrapy's own without them.
_UNUSED_EXTENSIONS = {
    "scrapy.extensions.remote_control.RemoteControl",
    "scrapy.extensions.telnet.TelnetConsole",
}
EXTENSIONS_BASE = {
    name: order
    for name, order in default_settings.EXTENSIONS_BASE.items()
    if name not in _UNUSED_EXTENSIONS
}
DOWNLOADER_MIDDLEWARES_BASE = {
    name: order
    for name, order in default_settings.DOWNLOADER_MIDDLEWARES_BASE.items()
    if name != "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"
}

#: Scrapy's duplicate filter, except that redirects (a withdrawn article sent to the home
#: page) are never dropped.
DUPEFILTER_CLASS = "newsarchive.crawling.dupefilter.RedirectAwareDupeFilter"
#: Items processed in parallel per response. Scrapy starts this many worker tasks for every
#: callback's output; a page yields one item (items of different pages wait for their group
#: commit concurrently), so the default 100 only costs time (about 100 asyncio tasks per
#: response).
CONCURRENT_ITEMS = 8
HTTPCACHE_ENABLED = False
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
#: Scrapy 2.19's remote-control extension (scrapy.extensions.remote_control.RemoteControl)
#: starts an HTTP server in every crawl that runs any Python code sent to it, and leaves
#: its port and token in job files under the user's state folder (behind a killed crawl
#: too). A crawl started by cron on a shared machine must not open it: off unless asked
#: for (``scrapy crawl channel -s REMOTE_CONTROL_ENABLED=1``).
REMOTE_CONTROL_ENABLED = False
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
#: Item log lines name the page instead of printing its bytes.
LOG_FORMATTER = "newsarchive.crawling.logformatter.ItemLogFormatter"
LOG_LEVEL = "INFO"
