# syntax=docker/dockerfile:1
# The API image: dependencies installed by uv exactly as uv.lock pins them, run as a non-root
# user, healthy when /health/ready answers 200. Build: docker build -t fintech .
# Not built in this repository's CI (no container engine there); see README "Deployment".

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
RUN python -m pip install --no-cache-dir "uv==0.13.9"
WORKDIR /src
# Dependencies first (cached while only the code changes), then the project itself.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project
COPY src ./src
RUN uv sync --locked --no-dev --no-editable

FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 fintech \
    && useradd --system --uid 10001 --gid fintech --home-dir /app --shell /usr/sbin/nologin fintech
COPY --from=build --chown=root:root /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    FINTECH_ENV=production \
    FINTECH_LOG_FORMAT=json
WORKDIR /app
USER 10001:10001
EXPOSE 8000
# urlopen raises on any non-2xx answer, so a 503 (store down, migrations pending) is unhealthy.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/ready', timeout=2)"]
# uvicorn drains in-flight requests on SIGTERM (--graceful-timeout, 20 s by default), then
# exits 0; give the orchestrator's stop timeout more than that (compose: stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["fintech"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
