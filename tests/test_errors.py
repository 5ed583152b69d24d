"""The error tree (exit codes as class attributes) and the X adapter's translation:
every tweepy and requests exception is mapped."""

from __future__ import annotations

import inspect
import json

import pytest
import requests
import tweepy

import bot.errors
from bot.errors import (
    DailyCapError,
    DuplicateContentError,
    NetworkAuthError,
    NetworkError,
    NetworkUnavailableError,
    PostRejectedError,
    RateLimitedError,
    ScheduleError,
    StateConflictError,
    StoreError,
)
from bot.networks.x.errors import map_tweepy_errors, translate
from threads.errors import InputError, ThreadbotError, UnsplittableTextError


def _response(
    status: int, body: dict[str, object] | None = None, headers: dict[str, str] | None = None
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.reason = "Reason"
    response._content = json.dumps(body or {"detail": f"status {status}"}).encode()
    response.headers.update(headers or {})
    return response


def _instance(cls: type[BaseException]) -> BaseException:
    if issubclass(cls, tweepy.HTTPException):
        status = {
            tweepy.BadRequest: 400,
            tweepy.Unauthorized: 401,
            tweepy.Forbidden: 403,
            tweepy.NotFound: 404,
            tweepy.TooManyRequests: 429,
            tweepy.TwitterServerError: 500,
        }.get(cls, 418)
        return cls(_response(status))
    if issubclass(cls, requests.exceptions.JSONDecodeError):
        return cls("Expecting value", "", 0)
    return cls()


def _all_classes() -> list[type[BaseException]]:
    classes = [
        c
        for _, c in inspect.getmembers(tweepy.errors, inspect.isclass)
        if issubclass(c, tweepy.TweepyException)
    ]
    classes += [
        c
        for _, c in inspect.getmembers(requests.exceptions, inspect.isclass)
        if issubclass(c, requests.RequestException)
    ]
    return classes


@pytest.mark.parametrize("cls", _all_classes(), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_no_exception_is_missed(cls: type[BaseException]) -> None:
    """Every exception class tweepy and requests define becomes a ThreadbotError."""
    with pytest.raises(ThreadbotError), map_tweepy_errors():
        raise _instance(cls)


@pytest.mark.parametrize(
    ("error", "expected", "message"),
    [
        (
            tweepy.Forbidden(
                _response(
                    403, {"detail": "You are not allowed to create a Tweet with duplicate content."}
                )
            ),
            DuplicateContentError,
            "duplicate content",
        ),
        (
            tweepy.Forbidden(
                _response(
                    403,
                    {
                        "detail": "Your client app is not configured with the appropriate oauth1 app permissions",
                        "type": "https://api.twitter.com/2/problems/oauth1-permissions",
                    },
                )
            ),
            NetworkAuthError,
            "regenerate the access token",
        ),
        (tweepy.Unauthorized(_response(401)), NetworkAuthError, "check X_API_KEY"),
        (
            tweepy.TooManyRequests(_response(429, headers={"x-rate-limit-reset": "1900000000"})),
            RateLimitedError,
            "rate limit",
        ),
        (
            tweepy.TooManyRequests(
                _response(
                    429,
                    headers={
                        "x-user-limit-24hour-remaining": "0",
                        "x-user-limit-24hour-reset": "1900000000",
                    },
                )
            ),
            DailyCapError,
            "24-hour post cap",
        ),
        (
            tweepy.BadRequest(_response(400, {"detail": "Reply to a deleted post"})),
            PostRejectedError,
            "Reply to a deleted post",
        ),
        (tweepy.TwitterServerError(_response(503)), NetworkUnavailableError, "X is having trouble"),
        (requests.ConnectionError(), NetworkUnavailableError, "connection to X failed"),
        (requests.ReadTimeout(), NetworkUnavailableError, "timed out"),
    ],
)
def test_translation_table(
    error: BaseException, expected: type[NetworkError], message: str
) -> None:
    """Each X answer maps to the error the publisher acts on, with a message saying what to do."""
    translated = translate(error)
    assert type(translated) is expected
    assert message in str(translated)


def test_reset_times_are_read() -> None:
    """429 reset headers become aware datetimes."""
    error = translate(
        tweepy.TooManyRequests(_response(429, headers={"x-rate-limit-reset": "1900000000"}))
    )
    assert isinstance(error, RateLimitedError)
    assert error.reset_at is not None
    assert error.reset_at.timestamp() == 1900000000


def test_tree_is_drawn_in_the_docstring() -> None:
    """Every error class of bot.errors appears in the module's drawn tree."""
    doc = bot.errors.__doc__ or ""
    classes = [
        name
        for name, c in inspect.getmembers(bot.errors, inspect.isclass)
        if issubclass(c, ThreadbotError) and c.__module__ == "bot.errors"
    ]
    assert classes
    assert [name for name in classes if name not in doc] == []


@pytest.mark.parametrize(
    ("cls", "code"),
    [
        (ThreadbotError, 1),
        (InputError, 2),
        (ScheduleError, 2),
        (StoreError, 2),
        (StateConflictError, 1),
        (NetworkError, 1),
        (UnsplittableTextError, 1),
    ],
)
def test_exit_code_is_a_class_attribute(cls: type[ThreadbotError], code: int) -> None:
    """The CLI's one handler reads the exit code from the error's class."""
    assert cls.exit_code == code
