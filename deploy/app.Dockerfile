# The Kelisim app image: one image, five processes (deploy/README.md):
#   worker                              bot worker: Telegram updates from Redis Streams (HEALTH_PORT)
#   receive                             webhook receiver: Telegram's POSTs into Redis (WEBHOOK_PORT)
#   actions --host 0.0.0.0 --port 5055  Rasa action server (GET /health)
#   db upgrade                          Alembic migrations (a one-shot job before each release)
#   serve                               the whole bot in one process (polling or webhook), small installs
#
# Build from the repository's root (the context is the whole checkout; only what is COPYed below
# goes in, app.Dockerfile.dockerignore keeps the rest out of the context):
#   docker build -f deploy/app.Dockerfile -t kelisim-app:0.1.0-$(git rev-parse --short=7 HEAD) .
#
# Every Python package comes from uv.lock (`uv sync --frozen`: the lock is used as it is, never
# re-resolved); uv itself is the version the Makefile pins (UV_VERSION). No secret is in the
# image: every token, password and URL with a password is given at run time (deploy/README.md).

# ---- builder: the locked environment, without the development group (pytest, ruff, mypy, ...)
FROM python:3.11.16-slim-bookworm AS builder

# Keep in step with the Makefile's UV_VERSION (tests/unit/test_deploy.py checks it).
ARG UV_VERSION=0.13.9
ENV UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN pip install "uv==${UV_VERSION}"

WORKDIR /src
# The project is not a package (pyproject: tool.uv.package = false): its dependencies are all
# that is installed, so these two files are all the builder needs.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --python /usr/local/bin/python3.11

# ---- runtime: the environment, the code and the content; nothing to compile, nobody root
FROM python:3.11.16-slim-bookworm

# 10001: a numeric user, so Kubernetes can check runAsNonRoot without reading /etc/passwd.
RUN groupadd --system --gid 10001 kelisim \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin kelisim

# PYTHONWARNINGS and SQLALCHEMY_SILENCE_UBER_WARNING as the Makefile sets them (Rasa SDK's
# dependency warnings are not ours to fix). KELISIM_ENV=production refuses settings that are
# fine for a try but not for people (README). KELISIM_VAR_DIR: whatever the settings write (the
# pseudonym key they generate when SENDER_ID_SECRET is not given; with replicas it always must
# be) goes under /tmp, since the root filesystem is read-only where the platform allows it.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONWARNINGS=ignore \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    KELISIM_ENV=production \
    KELISIM_VAR_DIR=/tmp/kelisim

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
# The code, with the Alembic migrations (bot/migrations) and the gazetteer (bot/places/data).
COPY bot/ /app/bot/
# The pages, strings and screening rules (CONTENT_DIR); new content means a new image.
COPY content/ /app/content/
# Read by the app at run time, not only by Rasa: the domain (content check: which responses
# exist), the rules (the action server answers side questions with the rules' responses:
# bot/actions/screening.py, _side_question_responses) and the NLU examples (the anonymiser's
# vocabulary, KEEP_UNANSWERED_DAYS).
COPY rasa_project/domain/ /app/rasa_project/domain/
COPY rasa_project/data/ /app/rasa_project/data/

# Byte-code now, as root: the running processes cannot write next to the code.
RUN python -m compileall -q /app/bot

USER 10001:10001

# worker's health (HEALTH_PORT), receive's webhook and health (WEBHOOK_PORT), actions.
EXPOSE 8081 8443 5055

ENTRYPOINT ["python", "-m", "bot"]
CMD ["--help"]
