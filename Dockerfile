# One image for every process: web, worker, beat, relay, migrate (ops/container/entrypoint.sh).
#   docker build -t casework:latest .
# Stage 1 builds the virtualenv from the pinned constraints; stage 2 carries it without pip's
# caches or any compiler.
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
# Compilers only here, for a dependency that ever ships without a wheel for this platform.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /app
# Dependencies first: this layer is rebuilt only when the pins change.
COPY pyproject.toml constraints.txt ./
RUN python - <<'PY' > /tmp/requirements.txt
import tomllib
print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))
PY
RUN pip install -c constraints.txt -r /tmp/requirements.txt

COPY . .
RUN pip install --no-deps -c constraints.txt -e . \
    && python -m compileall -q backend formengine graphql_schema permissions ops
# Static files (GraphiQL) collected at build time; settings need a database URL to load, not
# a database.
RUN DATABASE_URL=postgres://build@localhost/build SECRET_KEY=collectstatic-only-not-a-secret \
    STATIC_ROOT=/app/staticfiles DATA_DIR=/tmp/build-data \
    python manage.py collectstatic --noinput --verbosity 0


FROM python:3.11-slim AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    APP_ENV=production \
    LOG_FORMAT=json \
    DATA_DIR=/var/lib/casework \
    MEDIA_ROOT=/var/lib/casework/media \
    STATIC_ROOT=/app/staticfiles \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus \
    PORT=8000 \
    WEB_CONCURRENCY=2

# A TrueType font with Arabic for PDF exports (EXPORT_PDF_FONT).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 casework \
    && useradd --system --uid 10001 --gid casework --home-dir /var/lib/casework casework \
    && mkdir -p /var/lib/casework/media /var/lib/casework/exports /tmp/prometheus \
    && chown -R casework:casework /var/lib/casework /tmp/prometheus

COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=root:root /app /app
WORKDIR /app

USER casework:casework
EXPOSE 8000
VOLUME ["/var/lib/casework"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]
ENTRYPOINT ["/app/ops/container/entrypoint.sh"]
CMD ["web"]
