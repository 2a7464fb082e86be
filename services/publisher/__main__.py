"""``python -m services.publisher``: serve the publisher service."""

from __future__ import annotations

from services.publisher.bootstrap import create_app
from services.publisher.settings import PublisherSettings
from shared.serve import serve


def main() -> None:
    settings = PublisherSettings()  # API_TOKENS comes from the env
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
