"""The bodies the fault site serves in place of (or made from) a real page.

Pure functions of bytes; no network. Each one models something real channels do.
"""

from __future__ import annotations

import random
import re

#: A login / captcha interstitial as anti-bot gateways serve it (status 200, no article).
CAPTCHA_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>安全验证</title></head>
<body><div class="verify-wrap">
<h1 class="verify-title">访问验证</h1>
<p>您的访问过于频繁，系统需要确认您不是机器人。请在下方输入图片中的验证码后继续访问。</p>
<p>如果您是网站会员，也可以登录后继续浏览本站内容。登录后可以收藏文章、参与评论并订阅频道更新。</p>
<form method="post" action="/verify"><img src="/captcha.jpg" alt="验证码">
<input name="code" placeholder="请输入验证码"><input type="submit" value="提交">
<p>用户名 <input name="user"> 密码 <input type="password" name="password"> 登录</p></form>
<p>安全验证由网站防护系统提供。请勿频繁刷新页面，谢谢合作。</p>
</div></body></html>
""".encode()

#: The body of an HTTP error status.
ERROR_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>{status} 错误</title></head>'
    "<body><h1>{status}</h1><p>服务器暂时无法处理您的请求，请稍后再试。</p></body></html>"
)

_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?[A-Za-z0-9_-]+["']?[^>]*>""", re.IGNORECASE
)
_CLASS_ID_RE = re.compile(rb"""\b(class|id)\s*=\s*("[^"]*"|'[^']*')""", re.IGNORECASE)
_CONTAINER_TAG_RE = re.compile(rb"<(/?)(div|span|h1|h2|center|ul|li)\b", re.IGNORECASE)


def error_page(status: int) -> bytes:
    """A small HTML body for an error ``status``."""
    return ERROR_PAGE.format(status=status).encode()


def truncated(body: bytes, fraction: float) -> bytes:
    """The first ``fraction`` of ``body`` (never splitting a UTF-8 sequence mid-way is *not*
    attempted: real truncation does not care either)."""
    return body[: int(len(body) * fraction)]


def without_charset(body: bytes) -> bytes:
    """``body`` with every ``<meta … charset=…>`` declaration removed."""
    return _META_CHARSET_RE.sub(b"", body)


def as_gbk_labelled_utf8(body: bytes) -> bytes:
    """A UTF-8 page re-encoded as GB18030 (a GBK superset) while its ``<meta>`` still says
    UTF-8: bytes that a decoder trusting the label turns into mojibake."""
    text = body.decode("utf-8", errors="replace")
    return text.encode("gb18030", errors="replace")


def garbage(size: int, seed: int) -> bytes:
    """``size`` bytes of seeded random binary."""
    return random.Random(seed).randbytes(size)


def changed_template(body: bytes) -> bytes:
    """The page with an unknown template: every class and id renamed, container tags turned
    into other tags. The text is unchanged; only the markup an extractor keys on is gone."""

    def rename(m: re.Match[bytes]) -> bytes:
        attr, value = m.group(1), m.group(2)
        names = value[1:-1].split()
        return attr + b'="' + b" ".join(b"zz-" + n[::-1] for n in names) + b'"'

    def retag(m: re.Match[bytes]) -> bytes:
        mapping = {b"div": b"section", b"span": b"i", b"h1": b"strong", b"h2": b"b"}
        name = m.group(2).lower()
        return b"<" + m.group(1) + mapping.get(name, b"article")

    return _CONTAINER_TAG_RE.sub(retag, _CLASS_ID_RE.sub(rename, body))


def huge_page(size: int) -> tuple[bytes, bytes, int]:
    """A valid HTML page of exactly ``size`` bytes, as (head, filler block, filler count):
    the server writes head, then the block ``count`` times, then pads. Never held in memory
    whole."""
    head = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>超大页面</title></head><body>'
    ).encode()
    block = ("<p>　　这是一个用于测试响应大小上限的超大页面段落。</p>\n" * 64).encode()
    count = max(0, (size - len(head)) // len(block))
    return head, block, count


def bait_article(host: str, path: str) -> bytes:
    """A plausible article page served on an off-channel host: a crawler that followed the
    redirect would find a storable article here, so its absence from the archive proves the
    redirect was refused."""
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>站外诱饵文章-{host}</title></head><body>
<div class="h-title">站外诱饵文章不应进入档案</div>
<div class="h-info"><span class="h-time">2024-01-01 10:00:00</span>
<span>来源：<em id="source">站外网站</em></span></div>
<div id="p-detail">
<p>　　新华社贵阳1月1日电（记者张三）这是一篇由站外网站提供的文章，它的地址是{path}。</p>
<p>　　如果这段文字出现在档案中，说明爬虫跟随了指向频道之外的跳转。</p>
<p>　　第三段文字用于让正文足够长，以便任何抽取器都会把它当作一篇完整的文章。</p>
</div></body></html>
""".encode()
