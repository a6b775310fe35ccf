# labelsvc: one image for the HTTP service (`labelsvc serve`), print workers (`labelsvc worker`)
# and the virtual printer (`labelsvc printer-sim`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    LABELSVC_DATA_DIR=/var/lib/labelsvc

RUN apt-get update \
    && apt-get install -y --no-install-recommends libdmtx0b curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY labelsvc ./labelsvc
COPY numbering ./numbering
COPY templates ./templates
COPY printers ./printers
RUN pip install .

RUN useradd --system --create-home --home-dir /var/lib/labelsvc --uid 10001 labelsvc
USER labelsvc
VOLUME ["/var/lib/labelsvc"]
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1

# `serve` applies pending migrations at start-up (safe with several replicas starting at once).
CMD ["labelsvc", "serve", "--host", "0.0.0.0", "--port", "8000"]
