"""Each network's credentials, from the environment or a .env file, held as secrets.

They are ``SecretStr`` so they print as ``**********``; :mod:`bot.logs` also scrubs
their values from every log line, whatever library wrote it. The default account's
variables are unprefixed (``X_API_KEY``); an ``[accounts.NAME]`` account's carry
``THREADBOT_<NAME>_`` (``THREADBOT_NEWS_X_API_KEY``). Which class a network uses, and
where its owner gets them, the network registry says (:mod:`bot.networks.registry`).
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import CredentialsError
from bot.settings import DEFAULT_ACCOUNT


class NetworkCredentials(BaseSettings):
    """What one network needs to post as one account."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    def values(self) -> list[str]:
        """The secret values, for the log scrubber."""
        return [
            value.get_secret_value()
            for value in self.__dict__.values()
            if isinstance(value, SecretStr)
        ]


class XCredentials(NetworkCredentials):
    """OAuth 1.0a user-context credentials of the posting account."""

    x_api_key: SecretStr
    x_api_secret: SecretStr
    x_access_token: SecretStr
    x_access_token_secret: SecretStr


class BlueskyCredentials(NetworkCredentials):
    """A Bluesky handle and an app password (Settings → Privacy and security → App
    passwords), never the account's own password."""

    bluesky_handle: str
    bluesky_app_password: SecretStr


class MastodonCredentials(NetworkCredentials):
    """An access token of an application on the instance with the ``write:statuses
    write:media`` scopes (Preferences → Development → New application)."""

    mastodon_access_token: SecretStr


def env_prefix(account: str) -> str:
    """The variables' prefix: none for the default account, else ``THREADBOT_<NAME>_``."""
    return "" if account == DEFAULT_ACCOUNT else f"THREADBOT_{account.upper()}_"


Kind = TypeVar("Kind", bound=NetworkCredentials)


def load_credentials(kind: type[Kind], account: str, where: str) -> Kind:
    """The account's variables of ``kind``; a missing one is a one-line error naming it
    and ``where`` the owner gets it."""
    prefix = env_prefix(account)
    try:
        return kind(_env_prefix=prefix)
    except ValidationError as error:
        missing = [prefix + str(e["loc"][0]).upper() for e in error.errors()]
        names = ", ".join(missing)
        raise CredentialsError(
            f"{names} {'is' if len(missing) == 1 else 'are'} not set: export "
            f"{'it' if len(missing) == 1 else 'them'} or add to .env ({where})"
        ) from None
