"""``python -m services.gateway``: serve the console."""

from __future__ import annotations

from services.gateway.bootstrap import create_app
from services.gateway.settings import GatewaySettings
from shared.serve import serve


def main() -> None:
    settings = GatewaySettings()  # GATEWAY_SIGNING_KEY and API_TOKENS come from the env
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
