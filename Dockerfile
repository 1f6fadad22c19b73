# Tandem: one image for the web app and the render worker.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    TANDEM_ENV=production \
    TANDEM_VAR_DIR=/data

# Pango (and its font stack) is what WeasyPrint needs to lay out the printed workbooks.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core curl \
 && rm -rf /var/lib/apt/lists/* \
 && pip install --no-cache-dir uv \
 && useradd --create-home --uid 10001 tandem \
 && mkdir -p /data && chown tandem /data

WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN uv sync --frozen --no-dev \
 && uv run --no-dev pybabel --quiet compile -d app/locale \
 && chown -R tandem /app

USER tandem
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
# Migrations run on start, then the server (TANDEM_DATABASE_URL and TANDEM_SECRET_KEY are required).
CMD ["sh", "-c", "uv run --no-dev tandem db upgrade && exec uv run --no-dev tandem serve --host 0.0.0.0 --port 8000"]
