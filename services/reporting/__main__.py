"""``python -m services.reporting``: serve the reporting service."""

from __future__ import annotations

from services.reporting.bootstrap import create_app
from services.reporting.settings import ReportingSettings
from shared.serve import serve


def main() -> None:
    settings = ReportingSettings()  # API_TOKENS comes from the env
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
