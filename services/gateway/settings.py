"""Settings of the gateway, the console's service (env prefix ``GATEWAY_``)."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import CalendarSettings

__all__ = ["DEFAULT_SERVICE_URLS", "GatewaySettings"]

DEFAULT_SERVICE_URLS = {
    "drafting": "http://127.0.0.1:8101",
    "review": "http://127.0.0.1:8102",
    "publisher": "http://127.0.0.1:8103",
    "feedback": "http://127.0.0.1:8104",
    "reporting": "http://127.0.0.1:8105",
}


class GatewaySettings(CalendarSettings):
    """Gateway settings; the calendar's zone (``SLOT_ZONE``) is the zone times are shown in."""

    model_config = SettingsConfigDict(
        env_prefix="GATEWAY_", env_ignore_empty=True, extra="ignore", populate_by_name=True
    )

    service_name: str = "gateway"
    http_port: int = 8106
    signing_key: SecretStr = Field(
        description="Ed25519 private key (PEM) that signs person tokens; its public key goes "
        "into every service's PERSON_TOKEN_KEYS. No default."
    )
    person_token_seconds: int = Field(
        default=120, ge=10, le=300, description="Life of a person token (at most 5 min)."
    )
    service_urls: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_SERVICE_URLS),
        description='JSON: {"drafting": "http://127.0.0.1:8101", ...}.',
    )
    service_timeout_seconds: float = Field(default=10.0, gt=0)
    admin_username: str | None = Field(
        default=None, description="The first admin, created at start-up if missing."
    )
    admin_password: SecretStr | None = Field(default=None, description="Its first password.")
    cookie_secure: bool = Field(
        default=False, description="The console is served over TLS: cookies get Secure."
    )
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    session_idle_minutes: float = Field(default=120.0, gt=0)
    password_min_length: int = Field(default=10, ge=8, le=128)
    signin_free_failures: int = Field(
        default=5, ge=1, description="Failed sign-ins of one user before back-off starts."
    )
    signin_address_free_failures: int = Field(
        default=20, ge=1, description="Failed sign-ins from one address before back-off."
    )
    signin_base_delay_seconds: float = Field(default=2.0, gt=0)
    signin_max_delay_seconds: float = Field(default=900.0, gt=0)

    @field_validator("signing_key")
    @classmethod
    def _a_private_key(cls, value: SecretStr) -> SecretStr:
        if "PRIVATE KEY" not in value.get_secret_value():
            raise ValueError("GATEWAY_SIGNING_KEY must be a PEM Ed25519 private key")
        return value

    @field_validator("admin_password")
    @classmethod
    def _no_placeholder_password(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().lower() in {
            "changeme",
            "change-me",
            "password",
            "admin",
            "secret",
        }:
            raise ValueError("GATEWAY_ADMIN_PASSWORD must not be a placeholder")
        return value
