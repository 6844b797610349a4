#!/bin/sh
# Container entrypoint: `web` (default) migrates then serves with gunicorn;
# `grpc` serves the internal gRPC API; `worker` and `beat` start Celery; anything else
# is run as given.
set -e
case "${1:-web}" in
  web)
    python manage.py migrate --no-input
    exec gunicorn community_service.wsgi:application \
      --bind "0.0.0.0:${PORT:-8000}" --workers "${WORKERS_COUNT:-4}" \
      --access-logfile - --forwarded-allow-ips "*" --timeout 30 --graceful-timeout 30
    ;;
  grpc)
    # The web service migrates; grpcserver drains calls in flight on SIGTERM.
    exec python manage.py grpcserver
    ;;
  worker)
    exec celery -A community_service worker --loglevel INFO
    ;;
  beat)
    exec celery -A community_service beat --loglevel INFO
    ;;
  *)
    exec "$@"
    ;;
esac
