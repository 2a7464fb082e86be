"""``python -m services.review``: serve the review service."""

from __future__ import annotations

from services.review.bootstrap import create_app
from services.review.settings import ReviewSettings
from shared.serve import serve


def main() -> None:
    settings = ReviewSettings()  # API_TOKENS comes from the env
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
