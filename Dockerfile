# syntax=docker/dockerfile:1.4
# tsgbot's image: `serve` by default, `worker` or any other command of app.py as arguments.
#
#   docker build -t tsgbot .                                   # on python:3.11-slim-bookworm
#   podman build --build-arg BASE=localhost/tsgbot-base:bookworm -t tsgbot .  # a local Debian base (README)
#
# BASE must provide python3 (3.11) with the venv module, useradd and a shell; the same base is used
# for every stage, so the virtual environment built in one runs unchanged in the last.
ARG BASE=docker.io/library/python:3.11-slim-bookworm
# checkov:skip=CKV_DOCKER_7: every FROM is ${BASE}, whose default above has a fixed tag

# --- 1. wheels: the only stage that talks to the package registry. Its layer stays cached until
# requirements.txt changes, so code changes rebuild without the network.
FROM ${BASE} AS wheels
COPY requirements.txt /tmp/requirements.txt
# Behind a TLS-inspecting proxy, hand its CA bundle in as a build secret (never stored in a layer):
#   --secret id=pip_cert,src=/etc/ssl/certs/ca-certificates.crt
RUN --mount=type=secret,id=pip_cert \
    if [ -s /run/secrets/pip_cert ]; then export PIP_CERT=/run/secrets/pip_cert; fi \
    && python3 -m venv /tmp/pip \
    && /tmp/pip/bin/pip wheel --no-cache-dir --disable-pip-version-check --wheel-dir /wheels \
       -r /tmp/requirements.txt

# --- 2. venv: the virtual environment, installed from those wheels alone (no network).
FROM ${BASE} AS venv
COPY --from=wheels /wheels /wheels
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m venv /opt/tsgbot \
    && /opt/tsgbot/bin/pip install --no-cache-dir --disable-pip-version-check --no-index \
       --find-links /wheels -r /tmp/requirements.txt \
    && /opt/tsgbot/bin/pip uninstall --yes --disable-pip-version-check pip setuptools

# --- 3. runtime: the venv, the code and the knowledge base; runs as an unprivileged user.
FROM ${BASE}
RUN groupadd --gid 10001 tsgbot \
    && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin tsgbot \
    && mkdir -p /var/lib/tsgbot \
    && chown tsgbot:tsgbot /var/lib/tsgbot
COPY --from=venv /opt/tsgbot /opt/tsgbot
WORKDIR /app
COPY app.py alembic.ini ./
COPY bot ./bot
COPY migrations ./migrations
COPY knowledge ./knowledge
# The user cannot write to /app: compile now, or every start (and every CLI call) compiles again.
RUN /opt/tsgbot/bin/python -m compileall -q -j 0 app.py bot migrations

ENV PATH=/opt/tsgbot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_URL=sqlite:////var/lib/tsgbot/tsgbot.db \
    PORT=3000 \
    HOME=/tmp
# SQLite's home when DATABASE_URL is left alone (one container); PostgreSQL for anything more.
# /tmp must be writable (a tmpfs under a read-only root): the server keeps its workers' metrics there,
# and gunicorn its control socket under HOME.
VOLUME ["/var/lib/tsgbot"]
USER 10001:10001
EXPOSE 3000
# /healthz answers while the process lives; /readyz (database and index) is for load balancers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]
ENTRYPOINT ["python", "app.py"]
CMD ["serve"]
