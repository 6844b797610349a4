# syntax=docker/dockerfile:1
# --- build: wheels for every dependency, compiled once ---
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /build
COPY requirements/ requirements/
RUN pip wheel --wheel-dir /wheels -r requirements/prod.txt

# --- runtime: slim, non-root, no compilers ---
FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=community_service.settings \
    WORKERS_COUNT=4 PORT=8000
RUN groupadd --system app && useradd --system --gid app --home /app --shell /usr/sbin/nologin app
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels /wheels/* && rm -rf /wheels
COPY --chown=app:app . .
# Static assets (admin, Swagger UI and ReDoc from the sidecar) are baked into the image
# and served by WhiteNoise, so the docs work offline. collectstatic needs no real secret.
RUN DEBUG=true python manage.py collectstatic --no-input -v 0 \
    && chmod +x community_service/deploy/entrypoint.sh
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os,sys,urllib.request; port=os.environ.get('APP_PORT') or os.environ.get('PORT', '8000'); sys.exit(urllib.request.urlopen(f'http://127.0.0.1:{port}/health', timeout=4).status != 200)"
ENTRYPOINT ["community_service/deploy/entrypoint.sh"]
CMD ["web"]
