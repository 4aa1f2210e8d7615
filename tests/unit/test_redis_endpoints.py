"""Rasa's Redis endpoint file (security review L5): no password in it, only its owner reads
it, TLS (rediss://) and the ACL username carried over; checked with Rasa's own code against a
real Redis that needs TLS, a username and a password."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import yaml

from bot import model
from bot.stack import (
    StoreRefused,
    conversation_store,
    endpoints_config,
    rasa_redis_env,
    write_private,
)

PASSWORD = "p@ss w0rd$1"  # characters a URL must escape, and a dollar


def test_the_file_names_the_password_and_rasa_alone_gets_it() -> None:
    url = "redis://kelisim:p%40ss%20w0rd%241@db.internal:6380/2"
    config = endpoints_config(5055, url, "kelisim")
    text = yaml.safe_dump(config)
    assert "p@ss" not in text
    assert "w0rd" not in text
    assert "password: ${REDIS_PASSWORD}" in text  # plain: Rasa expands only unquoted values
    store = config["tracker_store"]
    assert isinstance(store, dict)
    assert store["type"] == "kelisim_engine.tracker_stores.CompactRedisTrackerStore"
    assert (store["url"], store["port"], store["db"], store["username"]) == (
        "db.internal",
        6380,
        2,
        "kelisim",
    )
    assert "use_ssl" not in store
    assert rasa_redis_env(url) == {"REDIS_PASSWORD": PASSWORD}
    assert "REDIS_PASSWORD" in model.BOT_ONLY  # so the action server never inherits one


def test_tls_and_its_files_are_carried_over() -> None:
    url = "rediss://:secret@cache:6379/0?ssl_ca_certs=/etc/ca.pem&ssl_cert_reqs=required"
    config = endpoints_config(5055, url, "kelisim")
    for name in ("tracker_store", "lock_store"):
        store = config[name]
        assert isinstance(store, dict)
        assert store["use_ssl"] is True
        assert store["ssl_ca_certs"] == "/etc/ca.pem"
        assert "username" not in store
        assert store["password"] == "${REDIS_PASSWORD}"


def test_without_a_password_nothing_is_passed() -> None:
    config = endpoints_config(5055, "redis://127.0.0.1:6379/0", "kelisim")
    assert "password" not in yaml.safe_dump(config)
    assert rasa_redis_env("redis://127.0.0.1:6379/0") == {}
    assert rasa_redis_env("") == {}


def test_a_redis_url_rasa_cannot_use_is_refused() -> None:
    with pytest.raises(StoreRefused, match="rediss://"):
        conversation_store({"REDIS_URL": "unix:///run/redis.sock"}, playground=False)


def test_the_file_is_private_whatever_the_umask_and_whoever_wrote_it_before(
    tmp_path: Path,
) -> None:
    path = tmp_path / "run" / "endpoints-5005.yml"
    path.parent.mkdir()
    path.write_text("password: an-old-one\n")
    path.chmod(0o644)
    old = os.umask(0)
    try:
        write_private(path, "password: ${REDIS_PASSWORD}\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "password: ${REDIS_PASSWORD}\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def secure_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A Redis that takes only TLS, and only the user `kelisim` with PASSWORD."""
    tmp = tmp_path_factory.mktemp("tlsredis")
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    port = _free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1",
         "--tls-cert-file", str(cert), "--tls-key-file", str(key),
         "--tls-ca-cert-file", str(cert), "--tls-auth-clients", "no",
         "--save", "", "--appendonly", "no", "--user", "default", "off",
         "--user", "kelisim", "on", f">{PASSWORD}", "~*", "&*", "+@all"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    escaped = "p%40ss%20w0rd%241"
    url = f"rediss://kelisim:{escaped}@127.0.0.1:{port}/0?ssl_ca_certs={cert}"
    try:
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        client.close()
        yield url, cert
    finally:
        server.kill()
        server.wait()


RASA_SIDE = """
import asyncio, os, sys
import redis
from rasa.core.lock_store import LockStore
from rasa.core.tracker_store import TrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

async def main():
    endpoints = AvailableEndpoints.read_endpoints(sys.argv[1])
    store = TrackerStore.create(endpoints.tracker_store, Domain.empty())
    locks = LockStore.create(endpoints.lock_store)
    tracker = DialogueStateTracker("someone", slots=[])
    tracker.update(SlotSet("language", "kk"))
    async with locks.lock("someone"):
        await store.save(tracker)
    found = await store.retrieve("someone")
    print("saved", len(found.events), type(store).__name__, type(locks).__name__)
    # The password really comes from the environment: with another one, no way in.
    os.environ["REDIS_PASSWORD"] = "wrong"
    endpoints = AvailableEndpoints.read_endpoints(sys.argv[1])
    try:
        await TrackerStore.create(endpoints.tracker_store, Domain.empty()).retrieve("someone")
    except redis.AuthenticationError:
        print("refused")

asyncio.run(main())
"""


@pytest.mark.slow
def test_rasa_reaches_a_redis_with_tls_a_username_and_a_password(
    secure_redis: tuple[str, Path], tmp_path: Path
) -> None:
    url, _ = secure_redis
    path = tmp_path / "endpoints.yml"
    write_private(path, yaml.safe_dump(endpoints_config(5055, url, "kelisimtest")))
    assert "p@ss" not in path.read_text()

    def rasa(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        python = model.rasa_bin().parent / "python"
        return subprocess.run(
            [str(python), "-c", RASA_SIDE, str(path)], env={**model.rasa_env(), **env},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    done = rasa(rasa_redis_env(url))
    assert done.returncode == 0, done.stderr[-3000:]
    # Our compacting store, not Rasa's silent fallback to memory when a type does not import.
    assert done.stdout.split("\n")[:2] == [
        "saved 1 CompactRedisTrackerStore AtomicRedisLockStore",
        "refused",
    ]
    client = redis.Redis.from_url(url)
    try:
        # The conversation expires as the privacy page says (RASA_TRACKER_TTL, a day).
        assert 0 < client.ttl("kelisimtest:tracker:someone") <= 24 * 3600
    finally:
        client.close()
