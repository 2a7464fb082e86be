# syntax=docker/dockerfile:1
# One image for the five services; each container picks its service with its command:
#   docker run ... contentops python -m services.review
# No secrets here: API_TOKENS, RABBIT_URL, MONGO_URL and the WeChat secrets come from the
# environment at run time (deploy/compose/.env or the Kubernetes Secret).

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml ./
COPY shared ./shared
COPY services ./services
RUN pip install .

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    DRAFTING_HTTP_HOST=0.0.0.0 \
    REVIEW_HTTP_HOST=0.0.0.0 \
    PUBLISHER_HTTP_HOST=0.0.0.0 \
    FEEDBACK_HTTP_HOST=0.0.0.0 \
    REPORTING_HTTP_HOST=0.0.0.0
RUN groupadd --system --gid 10001 contentops \
    && useradd --system --uid 10001 --gid contentops --home-dir /app \
       --shell /usr/sbin/nologin contentops
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# var/published holds the local publishing channel's output (PUBLISHER_LOCAL_DIR); made
# here so a volume mounted on it starts owned by the service user.
RUN mkdir -p /app/var/published && chown -R contentops:contentops /app
USER 10001:10001
EXPOSE 8101 8102 8103 8104 8105
CMD ["python", "-m", "services.drafting"]
