"""Following the owner's blog through its feeds: a new post is validated and queued
into the feed's posting slots by itself — nothing posted twice, nothing flooded.

- :mod:`.polling` — one poll of one feed, from the HTTP request to the queued threads
  (what ``threadbot run`` does every check, and ``feed check``);
- :mod:`.http` — the conditional GET: ETag, Last-Modified, gzip, redirects, Retry-After;
- :mod:`.entries` — what each entry of a poll is (new, seen, edited, duplicate,
  waiting), without I/O;
- :mod:`.articles` — an entry as an article (its content, or its page fetched);
- :mod:`.preview` — ``feed preview``: every entry with the threads it would become.

What is remembered of each feed and entry lives in the store (:mod:`bot.store.feeds`).
"""
