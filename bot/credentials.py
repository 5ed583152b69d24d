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
