# syntax=docker/dockerfile:1
# One image per service (#16). The build argument SERVICE picks the service: the image
# installs requirements/<SERVICE>.txt (the core and that service's group, locked with
# hashes), holds that service's package only, and runs it by default:
#   docker build --build-arg SERVICE=review -t contentops-review .
#   docker run ... contentops-review                  # python -m services.review
# SERVICE=all (the default) is the one image carrying all seven services, each container
# picking its service with its command (python -m services.<name>; default drafting).
# No secrets here: API_TOKENS, RABBIT_URL, MONGO_URL and the WeChat secrets come from the
# environment at run time (deploy/compose/.env or the Kubernetes Secret).
ARG SERVICE=all

FROM python:3.11-slim AS build
ARG SERVICE
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN case "$SERVICE" in drafting|review|publisher|feedback|reporting|gateway|audience|all) ;; \
      *) echo "SERVICE=$SERVICE: use drafting, review, publisher, feedback, reporting, gateway, audience or all" >&2; \
         exit 1 ;; \
    esac
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY requirements/${SERVICE}.txt ./requirements.txt
RUN pip install --require-hashes -r requirements.txt
COPY pyproject.toml ./
COPY shared ./shared
COPY services ./services
# Services never import each other: a service's image keeps its own package only.
RUN if [ "$SERVICE" != all ]; then \
      find services -mindepth 1 -maxdepth 1 -type d ! -name "$SERVICE" -exec rm -rf {} +; \
    fi
RUN pip install --no-deps .
# The default command: the image's service (all: drafting).
RUN module="services.$SERVICE" && if [ "$SERVICE" = all ]; then module=services.drafting; fi \
    && printf '#!/bin/sh\nexec python -m %s "$@"\n' "$module" > /opt/venv/bin/contentops-service \
    && chmod 755 /opt/venv/bin/contentops-service

FROM python:3.11-slim
ARG SERVICE
LABEL org.opencontainers.image.title="contentops-${SERVICE}"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    DRAFTING_HTTP_HOST=0.0.0.0 \
    REVIEW_HTTP_HOST=0.0.0.0 \
    PUBLISHER_HTTP_HOST=0.0.0.0 \
    FEEDBACK_HTTP_HOST=0.0.0.0 \
    REPORTING_HTTP_HOST=0.0.0.0 \
    GATEWAY_HTTP_HOST=0.0.0.0 \
    AUDIENCE_HTTP_HOST=0.0.0.0
# Charts (reporting) and posters (audience) draw Chinese: a CJK font, found by its path
# (/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc), never left to a font cache (#17, #14).
RUN case "$SERVICE" in reporting|audience|all) \
      apt-get update && apt-get install -y --no-install-recommends fonts-wqy-zenhei \
      && rm -rf /var/lib/apt/lists/* ;; esac
RUN groupadd --system --gid 10001 contentops \
    && useradd --system --uid 10001 --gid contentops --home-dir /app \
       --shell /usr/sbin/nologin contentops
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# var/published holds the local publishing channel's output (PUBLISHER_LOCAL_DIR); made
# here so a volume mounted on it starts owned by the service user.
RUN mkdir -p /app/var/published && chown -R contentops:contentops /app
USER 10001:10001
EXPOSE 8101 8102 8103 8104 8105 8106 8107
CMD ["contentops-service"]
