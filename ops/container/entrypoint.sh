#!/bin/sh
# The image's processes: web | worker | beat | relay | migrate | manage ARGS...
# Each is one process in the foreground (exec), so the orchestrator's signals reach it.
set -eu

# Prometheus keeps each gunicorn/Celery child's samples here; a restart starts from zero.
if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
    rm -rf "${PROMETHEUS_MULTIPROC_DIR:?}"/*
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi

command="${1:-web}"
[ "$#" -gt 0 ] && shift

case "$command" in
    web)
        exec gunicorn backend.wsgi \
            --config python:ops.gunicorn_conf \
            --bind "0.0.0.0:${PORT:-8000}" \
            --workers "${WEB_CONCURRENCY:-2}" \
            --threads "${GUNICORN_THREADS:-4}" \
            --timeout "${GUNICORN_TIMEOUT:-60}" \
            --graceful-timeout 30 \
            --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
            "$@"
        ;;
    worker)
        exec celery --app backend.celery worker \
            --loglevel "${LOG_LEVEL:-INFO}" \
            --concurrency "${CELERY_CONCURRENCY:-2}" \
            --queues "${CELERY_QUEUE:-casework}" \
            --without-gossip --without-mingle \
            "$@"
        ;;
    beat)
        # One beat per deployment: two would send every scheduled task twice.
        exec celery --app backend.celery beat \
            --loglevel "${LOG_LEVEL:-INFO}" \
            --schedule /tmp/celerybeat-schedule \
            "$@"
        ;;
    relay)
        exec python manage.py relay_outbox --loop "$@"
        ;;
    migrate)
        # Once per release, before the new web and worker processes start.
        exec python manage.py prepare_database "$@"
        ;;
    manage)
        exec python manage.py "$@"
        ;;
    *)
        echo "unknown command '$command': web, worker, beat, relay, migrate or manage" >&2
        exit 64
        ;;
esac
