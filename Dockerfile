# labelsvc: one image for the HTTP service (`labelsvc serve`), print workers (`labelsvc worker`)
# and the virtual printer (`labelsvc printer-sim`). Every dependency installs from wheels: no
# system package is needed.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LABELSVC_DATA_DIR=/var/lib/labelsvc \
    LABELSVC_HOST=0.0.0.0 \
    LABELSVC_PORT=8000 \
    LABELSVC_LOG_FORMAT=json

WORKDIR /app
COPY pyproject.toml README.md ./
COPY labelsvc ./labelsvc
COPY numbering ./numbering
COPY templates ./templates
COPY printers ./printers
COPY gs1 ./gs1
COPY hibc ./hibc
RUN pip install . && rm -rf /app/build

RUN useradd --system --create-home --home-dir /var/lib/labelsvc --uid 10001 labelsvc
USER labelsvc
WORKDIR /var/lib/labelsvc
VOLUME ["/var/lib/labelsvc"]
EXPOSE 8000

# /healthz needs no token; python's own HTTP client, so no curl in the image.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('LABELSVC_PORT', '8000'), timeout=2)"]

# `serve` applies pending migrations at start-up under a lock (safe with replicas starting at
# once), then runs granian on LABELSVC_HOST:LABELSVC_PORT with LABELSVC_WORKERS workers. granian
# reads request heads off the interpreter with a 30 s timeout, and `serve` reads bodies before
# the request threads take them, so slow clients need no buffering front in this image (the
# README, "The HTTP server", says what is bounded and how).
CMD ["labelsvc", "serve"]
