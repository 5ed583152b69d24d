"""The owner's site, read over HTTP: a post's page by its URL (:mod:`.pages`)."""
