"""Link payloads: the owner's site links and recommendations, validated before use.

Rules for every link: https only, no credentials, no whitespace, and a host that is a
name on a public TLD (from the shipped TLD list), ``localhost`` or an IP address.
Placeholder hosts (example.com/.org/.net, localhost, private or loopback addresses) pass
the model — so an example config loads — and are reported by :func:`placeholder_reason`:
warnings in a preview, errors before posting.
"""

from __future__ import annotations

import ipaddress
import re
from functools import cache
from typing import Annotated
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from threads.urls import public_tlds

_HANDLE = re.compile(r"^@?([A-Za-z0-9_]{1,15})$")
_PLACEHOLDER_DOMAINS = ("example.com", "example.org", "example.net", "example.edu")


def check_public_https_url(url: str) -> str:
    """Return ``url`` if it is a usable public https link, else raise ValueError."""
    if not url or any(char.isspace() for char in url):
        raise ValueError("must not be empty or contain spaces")
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise ValueError(f"must start with https:// (got {url!r})")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not contain a user name or password")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise ValueError(f"has no host name (got {url!r})")
    if host == "localhost" or _is_ip(host):
        return url
    if "." not in host or not _has_public_tld(host):
        raise ValueError(f"host {host!r} does not end in a public top-level domain")
    return url


def check_handle(handle: str) -> str:
    """Normalise an X handle to ``@name``; 1–15 letters, digits or underscores."""
    match = _HANDLE.match(handle.strip())
    if not match:
        raise ValueError(f"{handle!r} is not an X handle: use @ and 1-15 letters, digits or _")
    return "@" + match.group(1)


PublicHttpsUrl = Annotated[str, AfterValidator(check_public_https_url)]
XHandle = Annotated[str, AfterValidator(check_handle)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Recommendation(_Model):
    """An account the owner recommends in every closing tweet."""

    handle: XHandle
    reason: str = Field(min_length=1, max_length=200)


class SiteLinks(_Model):
    """The owner's links, from the ``[site]`` part of the config."""

    display_name: str | None = Field(
        default=None, max_length=50, description="The account's name, for the HTML preview."
    )
    blog_url: PublicHttpsUrl
    about_url: PublicHttpsUrl | None = None
    x_profile_url: PublicHttpsUrl | None = None
    article_base_url: PublicHttpsUrl | None = Field(
        default=None, description="Article URL = this + slug, when the article has no url."
    )
    recommendations: tuple[Recommendation, ...] = ()


class Utm(_Model):
    """UTM parameters added to links to the owner's own site (never to references)."""

    enabled: bool = True
    source: str = Field(default="x", min_length=1)
    medium: str = Field(default="social", min_length=1)
    campaign: str | None = Field(default=None, description="Defaults to the article slug.")
    # utm_content=section-N tells which thread a visit came from, and keeps each
    # thread's closing tweet a different text (X rejects repeated posts).
    content_per_section: bool = True


def placeholder_reason(url: str) -> str | None:
    """Why ``url`` is a placeholder rather than a real public link, or None."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return "points at localhost"
    if any(host == domain or host.endswith("." + domain) for domain in _PLACEHOLDER_DOMAINS):
        return f"uses the placeholder domain {host}"
    if _is_ip(host):
        address = ipaddress.ip_address(host)
        if address.is_private or address.is_loopback or address.is_link_local:
            return f"points at the private address {host}"
    return None


def with_utm(url: str, utm: Utm, campaign: str, content: str | None = None) -> str:
    """``url`` with utm_source/medium/campaign (and content) set, keeping its other
    query parameters and any UTM values the owner already wrote into it."""
    if not utm.enabled:
        return url
    parts, query, existing = _with_campaign(url, utm, campaign)
    if content is not None and utm.content_per_section and "utm_content" not in existing:
        extra = urlencode([("utm_content", content)])
        query = f"{query}&{extra}" if query else extra
    return urlunsplit(parts._replace(query=query))


@cache
def _with_campaign(url: str, utm: Utm, campaign: str) -> tuple[SplitResult, str, frozenset[str]]:
    """The part of :func:`with_utm` that every section of an article shares."""
    parts = urlsplit(url)
    query = list(parse_qsl(parts.query, keep_blank_values=True))
    existing = {key for key, _ in query}
    for key, value in (
        ("utm_source", utm.source),
        ("utm_medium", utm.medium),
        ("utm_campaign", utm.campaign or campaign),
    ):
        if value is not None and key not in existing:
            query.append((key, value))
    return parts, urlencode(query), frozenset(existing)


def same_site(url: str, site_urls: list[str]) -> bool:
    """Whether ``url`` is on one of the owner's hosts (so it gets UTM parameters)."""
    host = _bare_host(url)
    return any(host == _bare_host(site) for site in site_urls)


@cache
def _bare_host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _has_public_tld(host: str) -> bool:
    tld = host.rsplit(".", 1)[-1].lower()
    if tld.startswith("xn--"):
        try:
            tld = tld.encode("ascii").decode("idna")
        except UnicodeError:
            return False
    return tld in public_tlds()
