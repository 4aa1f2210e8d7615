# The Rasa engine image: Rasa 3.6 (Python 3.10) with our components and the trained model, the
# one artefact every replica loads (deploy/README.md).
#
# Train first (`make train`: models/kelisim.tar.gz and models/kelisim.fingerprint), then build
# from the repository's root (rasa.Dockerfile.dockerignore keeps the rest out of the context):
#   FP=$(cut -c1-12 models/kelisim.fingerprint)
#   docker build -f deploy/rasa.Dockerfile \
#       --build-arg MODEL_FINGERPRINT=$(cat models/kelisim.fingerprint) \
#       -t kelisim-rasa:model-$FP-$(git rev-parse --short=7 HEAD) .
# The tag is the model's fingerprint (the hash of everything the model is trained from,
# bot/model.py) and the commit: a new model is a new tag, and so is a change of the engine's
# code (kelisim_engine/, or the gazetteer our entity extractor reads), which the fingerprint
# does not cover. Every replica of one tag answers the same.
#
# Every package comes from rasa_project/requirements.lock, each wheel checked against the
# lock's hashes (`uv pip sync --require-hashes`, as `make install` does); uv itself is the
# version the Makefile pins (UV_VERSION). No secret is in the image.

# ---- builder: Rasa's locked environment
FROM python:3.10.21-slim-bookworm AS builder

# Keep in step with the Makefile's UV_VERSION (tests/unit/test_deploy.py checks it).
ARG UV_VERSION=0.13.9
ENV UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN pip install "uv==${UV_VERSION}"

COPY rasa_project/requirements.lock /src/requirements.lock
RUN --mount=type=cache,target=/root/.cache/uv \
    uv venv --python /usr/local/bin/python3.10 /opt/venv \
    && uv pip sync --require-hashes --python /opt/venv/bin/python /src/requirements.lock

# ---- runtime
FROM python:3.10.21-slim-bookworm

RUN groupadd --system --gid 10001 kelisim \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin kelisim

# As bot/model.py's rasa_env: no telemetry, quiet TensorFlow and SQLAlchemy, our components
# and the text folding they share with the bot importable (PYTHONPATH). LOG_LEVEL is Rasa's:
# DEBUG logs every message's text, never in production (README: RASA_LOG_LEVEL).
# TICKET_LOCK_LIFETIME: seconds a conversation's lock lives; a Rasa killed mid-turn never
# releases it, and the bot's second try of the turn must get it within RASA_TIMEOUT: what
# bot/stack.py's ticket_lock_lifetime gives for the bot's RASA_TIMEOUT (5 for the default 10 s;
# tests/unit/test_deploy.py checks it). HOME, MPLCONFIGDIR: /tmp, since the root filesystem is read-only where the
# platform allows it (the model is unpacked under /tmp too).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app/rasa_project:/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONWARNINGS=ignore \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=3 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    LOG_LEVEL=WARNING \
    TICKET_LOCK_LIFETIME=5 \
    HOME=/tmp \
    MPLCONFIGDIR=/tmp/matplotlib

# The defaults of deploy/rasa/endpoints.yml's variables that have a usual value. A replica
# must be told the others, and Rasa refuses to start without them: REDIS_HOST and
# ACTION_ENDPOINT_URL (no guess that would look right and reach nothing), REDIS_PASSWORD from a
# secret (empty for a Redis without one). REDIS_USERNAME is empty unless your Redis has ACL
# users (run.sh).
ENV REDIS_PORT=6379 \
    REDIS_DB=0 \
    RASA_REDIS_PREFIX=kelisim \
    RASA_TRACKER_TTL=86400

COPY --from=builder /opt/venv /opt/venv

# Our NLU components and engine, and the bot's modules they import (text folding, the
# gazetteer, entity rules): the whole package, as on a developer's machine (bot/model.py puts
# the checkout's root on Rasa's PYTHONPATH). None of the bot's settings or secrets come with it.
COPY rasa_project/kelisim_engine/ /app/rasa_project/kelisim_engine/
COPY rasa_project/kelisim_nlu/ /app/rasa_project/kelisim_nlu/
COPY rasa_project/config.yml rasa_project/credentials.yml /app/rasa_project/
COPY bot/ /app/bot/
COPY deploy/rasa/endpoints.yml deploy/rasa/endpoints-tls.yml deploy/rasa/run.sh /app/deploy/

# The model and its fingerprint (the image's tag; see the top of this file).
ARG MODEL_FINGERPRINT=""
COPY models/kelisim.tar.gz models/kelisim.fingerprint /app/models/
RUN if [ -n "$MODEL_FINGERPRINT" ] \
        && [ "$(cat /app/models/kelisim.fingerprint)" != "$MODEL_FINGERPRINT" ]; then \
        echo "models/kelisim.fingerprint is not MODEL_FINGERPRINT: run make train" >&2; exit 1; \
    fi
# Byte-code now, as root: the running server cannot write next to the code. The bot package
# compiles with Python 3.10 today; should a module Rasa never imports need 3.11, leave it out
# here with compileall's -x.
RUN python -m compileall -q /app/rasa_project /app/bot && chmod 0555 /app/deploy/run.sh
LABEL org.opencontainers.image.title="kelisim-rasa" \
      kelisim.model.fingerprint="${MODEL_FINGERPRINT}"

USER 10001:10001
WORKDIR /app/rasa_project

EXPOSE 5005

ENTRYPOINT ["/app/deploy/run.sh"]
