"""``python -m services.drafting``: serve the drafting service."""

from __future__ import annotations

from services.drafting.bootstrap import create_app
from services.drafting.settings import DraftingSettings
from shared.serve import serve


def main() -> None:
    settings = DraftingSettings()  # API_TOKENS comes from the env
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
