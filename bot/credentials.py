"""X credentials, from the environment or a .env file, held as secrets.

They are ``SecretStr`` so they print as ``**********``; :mod:`bot.logs` also scrubs
their values from every log line, whatever library wrote it.
"""

from __future__ import annotations

from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import CredentialsError


class Credentials(BaseSettings):
    """OAuth 1.0a user-context credentials of the posting account."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    x_api_key: SecretStr
    x_api_secret: SecretStr
    x_access_token: SecretStr
    x_access_token_secret: SecretStr

    def values(self) -> list[str]:
        return [
            secret.get_secret_value()
            for secret in (
                self.x_api_key,
                self.x_api_secret,
                self.x_access_token,
                self.x_access_token_secret,
            )
        ]


def env_prefix(account: str) -> str:
    """The variables' prefix: none for the default account (``X_API_KEY``), else
    ``THREADBOT_<NAME>_`` (``THREADBOT_NEWS_X_API_KEY``)."""
    return "" if account == "default" else f"THREADBOT_{account.upper()}_"


def load_credentials(account: str = "default") -> Credentials:
    """Read the account's four variables; a missing one is a one-line error naming it."""
    prefix = env_prefix(account)
    try:
        return Credentials(_env_prefix=prefix)
    except ValidationError as error:
        missing = [prefix + str(e["loc"][0]).upper() for e in error.errors()]
        names = ", ".join(missing)
        raise CredentialsError(
            f"{names} {'is' if len(missing) == 1 else 'are'} not set: export "
            f"{'it' if len(missing) == 1 else 'them'} or add to .env (X developer portal → "
            "your app → Keys and tokens)"
        ) from None


class BlueskyCredentials(BaseSettings):
    """A Bluesky handle and an app password (Settings → Privacy and security → App
    passwords), never the account's own password."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    bluesky_handle: str
    bluesky_app_password: SecretStr

    def values(self) -> list[str]:
        return [self.bluesky_app_password.get_secret_value()]


class MastodonCredentials(BaseSettings):
    """An access token of an application on the instance with the ``write:statuses
    write:media`` scopes (Preferences → Development → New application)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    mastodon_access_token: SecretStr

    def values(self) -> list[str]:
        return [self.mastodon_access_token.get_secret_value()]


def load_network_credentials(
    network: str, account: str = "default"
) -> BlueskyCredentials | MastodonCredentials:
    """Bluesky's or Mastodon's variables for the account (prefixed as for X)."""
    prefix = env_prefix(account)
    kind: type[BlueskyCredentials] | type[MastodonCredentials] = (
        BlueskyCredentials if network == "bluesky" else MastodonCredentials
    )
    where = (
        "Bluesky → Settings → App passwords"
        if network == "bluesky"
        else "your instance → Preferences → Development"
    )
    try:
        return kind(_env_prefix=prefix)
    except ValidationError as error:
        missing = [prefix + str(e["loc"][0]).upper() for e in error.errors()]
        names = ", ".join(missing)
        raise CredentialsError(
            f"{names} {'is' if len(missing) == 1 else 'are'} not set: export "
            f"{'it' if len(missing) == 1 else 'them'} or add to .env ({where})"
        ) from None
