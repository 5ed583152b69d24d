"""Posting threads: exactly once, on time.

- :mod:`.publisher` — one account's threads on one network, each post exactly once
  (claim, ``sending`` before the request, the network's id after it, reconciling by
  identity after a crash);
- :mod:`.outcomes` — what an error means for a thread (retry, wait, defer, release,
  let go, fail): one decision for `publish`, `resume` and the daemon;
- :mod:`.daemon` — ``threadbot run``: the store is the truth, APScheduler the clock;
- :mod:`.freezing` — prepared threads into the store, by lifecycle's one rule;
- :mod:`.scheduling` and :mod:`.planning` — when threads go out (times, slots, durations).
"""
