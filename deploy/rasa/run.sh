#!/bin/sh
# The Rasa engine in a container, as `python -m bot stack` starts it (bot/stack.py,
# _start_dialogue): our launcher (kelisim_engine/serve.py: no TensorFlow when the model needs
# none, one BLAS thread, the engine's speed-ups), the baked-in model, the REST channel only,
# Rasa's HTTP API behind RASA_API_TOKEN (the bot purges conversations through it), on 5005.
# Extra arguments are passed on to `rasa run` (e.g. --log-file).
set -eu

if [ -z "${RASA_API_TOKEN:-}" ]; then
    echo "RASA_API_TOKEN is not set: Rasa's HTTP API would be open to anyone who reaches it" >&2
    exit 78
fi

# Rasa refuses an endpoints file naming a variable that is not set; no ACL user by default.
export REDIS_USERNAME="${REDIS_USERNAME:-}"

exec python -m kelisim_engine.serve run \
    --model /app/models/kelisim.tar.gz \
    --endpoints "${RASA_ENDPOINTS:-/app/deploy/endpoints.yml}" \
    --credentials /app/rasa_project/credentials.yml \
    --interface 0.0.0.0 --port 5005 \
    --enable-api --auth-token "$RASA_API_TOKEN" \
    "$@"
