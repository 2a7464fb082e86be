"""``python -m services.feedback``: serve the feedback service."""

from __future__ import annotations

from services.feedback.bootstrap import create_app
from services.feedback.settings import FeedbackSettings
from shared.serve import serve


def main() -> None:
    settings = FeedbackSettings()  # API_TOKENS and the rest come from the environment
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
