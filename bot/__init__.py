"""threadbot's runtime: settings, CLI, previews (and, later, posting and scheduling)."""

__version__ = "0.1.0"
