# syntax=docker/dockerfile:1
# One image for web (gunicorn), worker and beat (celery) and one-off management commands.
# Configuration comes only from the environment at run time (docs/deploy.md); nothing secret is
# baked in.

FROM python:3.12-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media

RUN python -m venv "$VIRTUAL_ENV"

# Dependencies first, from pyproject.toml alone, so that code changes reuse this layer. The
# project itself is not installed: it runs from /app (PYTHONPATH), where settings.BASE_DIR finds
# templates/, locale/ and fixtures/.
COPY pyproject.toml /tmp/pyproject.toml
RUN python -c "import tomllib; deps = tomllib.load(open('/tmp/pyproject.toml', 'rb'))['project']['dependencies']; print('\n'.join(deps))" > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt /tmp/pyproject.toml

WORKDIR /app
COPY . /app

# Static files are collected at build time (served by WhiteNoise). Settings refuse to load with
# DEBUG off and no secrets, so throwaway values are given to this one command only.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-not-a-secret \
    FIELD_ENCRYPTION_KEY=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    python manage.py collectstatic --noinput --verbosity 1 \
 && python -m compileall -q /app

RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app \
 && mkdir -p /data/media /data/beat \
 && chown -R app:app /data
USER app

EXPOSE 8000

# gunicorn_conf.py reads WEB_CONCURRENCY for the number of workers.
ENV WEB_CONCURRENCY=3
# tuoyu_portal/gunicorn_conf.py: no control socket, logs with the portal's clock.
CMD ["gunicorn", "tuoyu_portal.wsgi", "-c", "python:tuoyu_portal.gunicorn_conf", "--bind", "0.0.0.0:8000"]
