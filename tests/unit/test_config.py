"""Every setting has one home: bot/config.py reads the environment, and the README lists it."""

from __future__ import annotations

import re
from pathlib import Path

from bot import config

ROOT = Path(__file__).resolve().parents[2]
READ = re.compile(
    r"""(?:env\.get|environ\.get|environ\[|getenv|_env)\(?\s*["']([A-Z][A-Z0-9_]+)["']"""
)
# Rasa's environment runs this one and it imports nothing of the app (its docstring says so).
APART = {"bot/understanding/worker.py"}
# Not settings of ours: passed on to a child process as they are.
PASSED_ON = {"PYTHONPATH"}


def names_read(path: Path) -> set[str]:
    return set(READ.findall(path.read_text(encoding="utf-8")))


def test_no_module_but_config_reads_a_setting() -> None:
    found = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if path.name != "config.py" and str(path.relative_to(ROOT)) not in APART
        for name in names_read(path) - PASSED_ON
    }
    assert found == set()


def test_the_readme_lists_every_setting() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", readme))
    missing = names_read(ROOT / "bot" / "config.py") - listed
    assert missing == set()


def test_the_settings_read_outside_the_bot() -> None:
    env = {
        "CONTENT_DIR": "/srv/content", "SAMPLE_LISTINGS": "0", "RASA_TRACKER_TTL": "60",
        "KELISIM_MODEL_FROZEN": "1", "KELISIM_ENV": "Production", "LOG_LEVEL": "debug",
    }  # fmt: skip
    assert config.content_dir(env) == Path("/srv/content")
    assert config.content_dir({}) == ROOT / "content"
    assert not config.sample_listings(env)
    assert config.sample_listings({})
    assert config.rasa_tracker_ttl(env) == 60
    assert config.rasa_tracker_ttl({}) == 86400
    assert config.model_frozen(env)
    assert not config.model_frozen({})
    assert config.production(env)
    assert not config.production({})
    assert config.log_level(env) == "DEBUG"
    assert config.log_level({}) == ""
    assert config.bot_username({}) == "kelisim_bot"
