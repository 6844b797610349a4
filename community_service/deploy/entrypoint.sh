#!/bin/sh
# Container entrypoint: `web` (default) migrates (unless MIGRATE_ON_START=false) then serves
# with granian (WEB_SERVER=gunicorn: gunicorn's sync workers) on APP_PORT (PORT is an alias); `migrate` only migrates; `grpc` serves the
# internal gRPC API; `worker` and `beat` start Celery; anything else is run as given.
set -e
APP_PORT="${APP_PORT:-${PORT:-8000}}"
# Gunicorn workers and Celery's prefork children are separate processes: their metrics
# are summed from files in this directory (prometheus-client's multiprocess mode).
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-/tmp/prometheus}"
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
case "${1:-web}" in
  web)
    if [ "${MIGRATE_ON_START:-true}" = "true" ]; then
      python manage.py migrate --no-input
    fi
    # No server access log: RequestContextMiddleware writes the one JSON line per request
    # (method, path, status, duration, request id); a second plain-text line was a second write.
    # granian (default) keeps connections alive, so nginx's upstream keepalive saves a TCP
    # setup per request. A kept-alive connection stays on the worker that accepted it, and
    # new connections arriving together often land on one worker: two blocking threads let
    # that worker serve two at once (their database waits overlap) instead of queueing one
    # behind the other (docs/operations.md, "Which web server").
    if [ "${WEB_SERVER:-granian}" = "gunicorn" ]; then
      exec gunicorn community_service.wsgi:application \
        --bind "0.0.0.0:${APP_PORT}" --workers "${WORKERS_COUNT:-4}" \
        --forwarded-allow-ips "*" --timeout 30 --graceful-timeout 30
    fi
    exec granian --interface wsgi community_service.wsgi:application \
      --host 0.0.0.0 --port "${APP_PORT}" --workers "${WORKERS_COUNT:-4}" \
      --blocking-threads 2 --no-ws --no-access-log --respawn-failed-workers \
      --workers-kill-timeout 30
    ;;
  grpc)
    # `migrate` (or web) migrates; grpcserver drains calls in flight on SIGTERM.
    exec python manage.py grpcserver
    ;;
  migrate)
    exec python manage.py migrate --no-input
    ;;
  worker)
    exec celery -A community_service worker --loglevel INFO
    ;;
  beat)
    exec celery -A community_service beat --loglevel INFO --schedule /tmp/celerybeat-schedule
    ;;
  *)
    exec "$@"
    ;;
esac
