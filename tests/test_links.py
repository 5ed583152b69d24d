"""Link payloads: URL and handle rules, placeholders, and UTM tagging."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from threads.links import (
    Recommendation,
    SiteLinks,
    Utm,
    check_handle,
    check_public_https_url,
    placeholder_reason,
    with_utm,
)


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("https://blog.gonogo.kr/posts", None),
        ("https://example.com/blog", None),  # a placeholder, but a valid link
        ("https://localhost/x", None),
        ("https://10.0.0.1/x", None),
        ("http://blog.gonogo.kr", "must start with https://"),
        ("https://user:pw@blog.gonogo.kr", "must not contain a user name or password"),
        ("https://blog.gonogo.kr/a b", "must not be empty or contain spaces"),
        ("", "must not be empty or contain spaces"),
        ("https://blog.invalidtld", "does not end in a public top-level domain"),
        ("https://intranet/x", "does not end in a public top-level domain"),
        ("https:///path", "has no host name"),
        ("ftp://blog.gonogo.kr", "must start with https://"),
    ],
)
def test_check_public_https_url(url: str, error: str | None) -> None:
    """https only, a public TLD (or localhost/IP, flagged later), no credentials or spaces."""
    if error is None:
        assert check_public_https_url(url) == url
    else:
        with pytest.raises(ValueError, match=error):
            check_public_https_url(url)


@pytest.mark.parametrize(
    ("handle", "expected"),
    [
        ("@GONOGO_Korea", "@GONOGO_Korea"),
        ("GONOGO_Korea", "@GONOGO_Korea"),
        ("@a", "@a"),
        ("@" + "x" * 15, "@" + "x" * 15),
    ],
)
def test_handles_normalise(handle: str, expected: str) -> None:
    """Handles are stored as @name whether or not the config wrote the @."""
    assert check_handle(handle) == expected


@pytest.mark.parametrize("handle", ["@", "@" + "x" * 16, "@with-dash", "@two words", "@émile"])
def test_bad_handles(handle: str) -> None:
    """Anything but 1-15 letters, digits or underscores is refused."""
    with pytest.raises(ValueError, match="is not an X handle"):
        check_handle(handle)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://example.com/blog", "uses the placeholder domain example.com"),
        ("https://www.example.org", "uses the placeholder domain www.example.org"),
        ("https://localhost/", "points at localhost"),
        ("https://192.168.1.4/", "points at the private address 192.168.1.4"),
        ("https://127.0.0.1/", "points at the private address 127.0.0.1"),
        ("https://blog.gonogo.kr/", None),
        ("https://notexample.com/", None),
    ],
)
def test_placeholder_reason(url: str, reason: str | None) -> None:
    """Placeholder hosts are recognised; look-alikes are not."""
    assert placeholder_reason(url) == reason


def test_models_forbid_unknown_fields_and_report_paths() -> None:
    """SiteLinks rejects unknown keys and bad nested values with a field path."""
    with pytest.raises(ValidationError) as caught:
        SiteLinks.model_validate(
            {
                "blog_url": "https://a.com",
                "recommendations": [{"handle": "@bad-one", "reason": "x"}],
                "colour": 1,
            }
        )
    locations = {".".join(map(str, e["loc"])) for e in caught.value.errors()}
    assert locations == {"recommendations.0.handle", "colour"}
    assert Recommendation(handle="x_y", reason="because").handle == "@x_y"


@pytest.mark.parametrize(
    ("url", "utm", "expected"),
    [
        (
            "https://a.com/p",
            Utm(),
            "https://a.com/p?utm_source=x&utm_medium=social&utm_campaign=slug&utm_content=section-2",
        ),
        (
            "https://a.com/p?ref=1",
            Utm(content_per_section=False),
            "https://a.com/p?ref=1&utm_source=x&utm_medium=social&utm_campaign=slug",
        ),
        (
            "https://a.com/p?utm_source=nl",
            Utm(campaign="spring"),
            "https://a.com/p?utm_source=nl&utm_medium=social&utm_campaign=spring&utm_content=section-2",
        ),
        ("https://a.com/p", Utm(enabled=False), "https://a.com/p"),
    ],
)
def test_with_utm(url: str, utm: Utm, expected: str) -> None:
    """UTM parameters are added without clobbering the owner's own query or UTM values."""
    assert with_utm(url, utm, "slug", "section-2") == expected
