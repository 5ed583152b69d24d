"""Feed polling at scale: N feeds of 50 entries each, served on loopback.

Run by ``bench/run.py`` (section 8). Three poll rounds of every feed, as the daemon runs
them (``bot.feeds.poll_due`` on a SQLite store): the first (everything marked seen),
one where nothing changed (every feed answers 304), and one where each feed has one new
post (parsed, built, validated and queued). CPU seconds and peak memory per round, for
50 and 200 feeds: the cost per feed must stay about the same (linear growth).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import resource
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTRIES = 50


def _item(feed: int, number: int) -> str:
    return (
        f"<item><title>Post {feed}-{number}</title>"
        f"<link>https://blog.example.org/{feed}/{number}/</link><guid>{feed}-{number}</guid>"
        f"<pubDate>{1 + number % 28:02d} May 2025 06:00:00 +0000</pubDate>"
        "<content:encoded><![CDATA[<h2>Part</h2><p>This post has two sentences of prose. "
        f"It is number {number} of feed {feed}.</p>]]></content:encoded></item>"
    )


def _feed(feed: int, newest: int) -> bytes:
    items = "".join(_item(feed, n) for n in range(newest, newest - ENTRIES, -1))
    return (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>Feed {feed}</title><link>https://blog.example.org/{feed}/</link>{items}"
        "</channel></rss>"
    ).encode()


class _Feeds:
    def __init__(self, count: int) -> None:
        self.newest = dict.fromkeys(range(count), ENTRIES)

    def body(self, feed: int) -> tuple[bytes, str]:
        body = _feed(feed, self.newest[feed])
        return body, f'"{feed}-{self.newest[feed]}"'


def _serve(feeds: _Feeds) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body, etag = feeds.body(int(self.path.strip("/").split(".")[0]))
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _round(store: object, settings: object, now: dt.datetime) -> tuple[float, int]:
    from bot.feeds.polling import poll_due

    cpu = time.process_time()
    reports = poll_due(store, settings, now)  # type: ignore[arg-type]
    return time.process_time() - cpu, len(reports)


def bench_feeds(counts: tuple[int, ...] = (50, 200)) -> None:

    from bot.feeds.polling import FeedSettings
    from bot.settings import load_settings
    from bot.store import Store

    loaded = load_settings(ROOT / "config" / "threadbot.toml")
    options = loaded.build_options
    real_site = options.site.model_copy(
        update={
            "blog_url": "https://blog.gonogo.kr",
            "about_url": "https://blog.gonogo.kr/about",
            "article_base_url": "https://blog.gonogo.kr/posts/",
        }
    )
    settings = dataclasses.replace(
        FeedSettings.from_settings(loaded),
        options=options.model_copy(update={"site": real_site}),
        poll_minutes=1,
        default_slots="daily 09:00,12:00,18:00",
        default_timezone="UTC",
    )
    print(f"8. feeds: poll rounds of N feeds × {ENTRIES} entries on loopback (CPU s, per feed)")
    for count in counts:
        feeds = _Feeds(count)
        server, url = _serve(feeds)
        with tempfile.TemporaryDirectory() as directory:
            store = Store(f"sqlite:///{Path(directory) / 'feeds.db'}")
            follow = store.feeds
            now = dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.UTC)
            for feed in range(count):
                follow.add(
                    f"{url}/{feed}.xml",
                    slots=None,
                    timezone=None,
                    sections="all",
                    backfill=0,
                    poll_minutes=None,
                    now=now,
                )
            first, polled = _round(store, settings, now)
            unchanged, _ = _round(store, settings, now + dt.timedelta(minutes=2))
            for feed in range(count):
                feeds.newest[feed] += 1
            one_new, _ = _round(store, settings, now + dt.timedelta(minutes=4))
            queued = sum(f.queued for f in follow.all())
        server.shutdown()
        server.server_close()
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"   {count:>4} feeds ({polled} polled): first round {first:.2f} s "
            f"({first / count * 1000:.1f} ms/feed) · all 304 {unchanged:.2f} s "
            f"({unchanged / count * 1000:.1f} ms/feed) · one new post each {one_new:.2f} s "
            f"({one_new / count * 1000:.1f} ms/feed, {queued} queued) · peak RSS {rss_mb:.0f} MB"
        )
