"""``python -m services.audience``: serve the audience service."""

from __future__ import annotations

from services.audience.bootstrap import create_app
from services.audience.settings import AudienceSettings
from shared.serve import serve


def main() -> None:
    settings = AudienceSettings()  # API_TOKENS and the rest come from the environment
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
