"""Fakes and emulators of the networks, for tests and for trying threadbot without an
account — beside the product, never imported by it (a test checks).

- ``fakes``: :class:`~bot.testing.fakes.FakeX`, an in-memory X with scripted faults.
- ``server``: what every emulator shares — real HTTP on 127.0.0.1, request counts,
  injected faults, holds at a post's phases (crash tests).
- ``x``, ``bluesky``, ``mastodon``: X API v2 (with OAuth 1.0a checks), a Bluesky PDS and a
  Mastodon instance, each answering as the real one does.
- ``python -m bot.testing x|bluesky|mastodon``: run one in the foreground, with a ready
  config and the exports to post to it, saying what it receives.
"""
