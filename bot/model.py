"""Train the Rasa model only when its inputs changed, and find the Rasa engine."""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
from pathlib import Path

from bot import config
from bot.config import RASA_PROJECT, ROOT

MODELS = ROOT / "models"
MODEL_NAME = "kelisim"
MODEL_PATH = MODELS / f"{MODEL_NAME}.tar.gz"
FINGERPRINT_PATH = MODELS / f"{MODEL_NAME}.fingerprint"
# Only these decide what the model learns; tests and docs may change freely. Paths from the root:
# our NLU components (rasa_project/kelisim_nlu/) fold text with bot/text/skeleton.py. Rasa's own
# cache then retrains only the parts whose inputs changed (our component's fingerprint_addon).
_INPUTS = (
    "rasa_project/config.yml",
    "rasa_project/domain",
    "rasa_project/data",
    "rasa_project/kelisim_nlu",
    "rasa_project/requirements.lock",
    "bot/text/skeleton.py",
)


def rasa_bin() -> Path:
    return config.rasa_bin()


# Secrets only the bot needs: Rasa and the action server never get them (least privilege: a
# crash dump or a compromised action server then holds no token or database password).
# REDIS_PASSWORD is given to Rasa alone, by the stack, when REDIS_URL has one.
BOT_ONLY = (
    "TELEGRAM_BOT_TOKEN", "DATABASE_URL", "SENDER_ID_SECRET", "WEBHOOK_SECRET",
    "RASA_API_TOKEN", "REDIS_URL", "REDIS_PASSWORD", "ADMIN_IDS",
)  # fmt: skip


def without_bot_secrets(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k not in BOT_ONLY}


def rasa_env() -> dict[str, str]:
    """Quiet, offline Rasa: no telemetry calls home, no TensorFlow chatter, no bot secrets."""
    env = without_bot_secrets(dict(os.environ))
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="3",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PYTHONWARNINGS="ignore",
        LOG_LEVEL=config.rasa_log_level()[0],
    )
    # Our NLU components (rasa_project/kelisim_nlu/) and the text folding they share with the
    # bot (bot/text/) must import in the Rasa environment, whatever the working directory.
    paths = (str(RASA_PROJECT), str(ROOT), env.get("PYTHONPATH", ""))
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    return env


def fingerprint(inputs: tuple[str, ...] = _INPUTS) -> str:
    digest = hashlib.sha256()
    for name in inputs:
        base = ROOT / name
        if not base.exists():
            digest.update(f"{name} is missing".encode())
            continue
        files = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [base]
        # Python's byte-code caches appear when Rasa imports our components: not an input.
        for path in (f for f in files if "__pycache__" not in f.parts):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def is_current() -> bool:
    return (
        MODEL_PATH.exists()
        and FINGERPRINT_PATH.exists()
        and FINGERPRINT_PATH.read_text().strip() == fingerprint()
    )


def train(force: bool = False) -> bool:
    """Train if the data changed; True if a training ran."""
    if not force and config.model_frozen() and MODEL_PATH.exists():
        # For a developer who edits training data while tests or a bench run on the last model.
        print(f"KELISIM_MODEL_FROZEN=1: using {MODEL_PATH.relative_to(ROOT)} as it is")
        return False
    MODELS.mkdir(exist_ok=True)
    # One training at a time (pytest's workers, a bench beside a test run): whoever waited
    # finds the model current and uses it.
    with (MODELS / ".train.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _train_locked(force)


def _train_locked(force: bool) -> bool:
    if not force and is_current():
        print(f"model {MODEL_PATH.relative_to(ROOT)} is up to date")
        return False
    stamp = fingerprint()
    print("training the Rasa model (data changed since the last training)...", flush=True)
    command = [
        str(rasa_bin()), "train",
        "--config", "config.yml", "--domain", "domain", "--data", "data",
        "--out", str(MODELS), "--fixed-model-name", MODEL_NAME,
    ]  # fmt: skip
    if force:
        command.append("--force")
    result = subprocess.run(command, cwd=RASA_PROJECT, env=rasa_env(), check=False)
    if result.returncode != 0:
        sys.exit(f"rasa train failed with exit code {result.returncode}")
    FINGERPRINT_PATH.write_text(stamp + "\n")
    return True
