"""The running parts: the bot, the action server, the emulator, and the whole stack."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot import config
from bot.cli.common import Adder, content_refused, hide_in_logs, setup_logging

if TYPE_CHECKING:
    from bot.config import Settings


def _run_bot(run: Callable[[Settings], None]) -> None:
    """Settings, logging with the token hidden, and content refused with its reasons."""
    from bot.config import Settings
    from bot.content.live import ContentRefused

    setup_logging()
    settings = Settings.from_env()
    hide_in_logs(settings.token)
    try:
        run(settings)
    except ContentRefused as exc:
        sys.exit(content_refused(exc))


def cmd_serve(args: argparse.Namespace) -> None:
    """Run the Telegram bot (long polling, or a webhook when WEBHOOK_URL is set)."""
    from bot.telegram.app import run

    _run_bot(run)


def cmd_worker(args: argparse.Namespace) -> None:
    """Run a bot worker: it answers the updates of its share of the chats, taken from Redis."""
    from bot.telegram.stream.process import run_worker

    _run_bot(run_worker)


def cmd_receive(args: argparse.Namespace) -> None:
    """Run the webhook receiver: Telegram's updates go into Redis for the bot workers."""
    from bot.telegram.stream.process import run_receiver

    _run_bot(run_receiver)


def cmd_balance(args: argparse.Namespace) -> None:
    """Run a small load balancer over replicas (Rasa servers, action servers)."""
    from bot.cluster.balancer import serve

    setup_logging()
    serve(args.host, args.port, args.upstreams)


def _one_sanic_process() -> None:
    """Serve the action server from this process alone, unless SANIC_WORKERS asks for more.

    Sanic's default is a manager process and a worker: SIGTERM while the worker is still
    starting leaves the manager spinning for 30 s, holding the port (seen when the stack was
    killed just after start-up), and the second process costs memory for nothing."""
    from rasa_sdk import utils
    from sanic import Sanic

    if utils.number_of_sanic_workers() != 1:
        return

    def serve(
        cls: type[Sanic],  # type: ignore[type-arg]
        primary: Sanic | None = None,  # type: ignore[type-arg]
        *,
        app_loader: Any = None,
        factory: Callable[[], Sanic] | None = None,  # type: ignore[type-arg]
    ) -> None:
        if primary is None:
            primary = factory() if factory else app_loader.load()
        cls.serve_single(primary)

    # rasa-sdk calls Sanic.serve with no way to ask for serve_single.
    Sanic.serve = classmethod(serve)  # type: ignore[method-assign,assignment]


def cmd_actions(args: argparse.Namespace) -> None:
    """Run the Rasa action server (rasa-sdk) on 127.0.0.1."""
    # rasa-sdk binds 0.0.0.0 unless told otherwise; the action server must stay private.
    os.environ.setdefault("SANIC_HOST", args.host)
    sys.argv = ["rasa_sdk", "--actions", "bot.actions", "--port", str(args.port)]
    import contextlib

    from rasa_sdk.__main__ import main as rasa_sdk_main

    from bot.actions.screening import rule_book
    from bot.content.live import ContentRefused

    # Check the content now: its problems are logged from the start, and the first person
    # screened does not wait for the check. Content that fails it is refused (and logged) there.
    with contextlib.suppress(ContentRefused):
        rule_book()
    _one_sanic_process()
    rasa_sdk_main()


def cmd_emulator(args: argparse.Namespace) -> None:
    """Run the Bot API emulator and the playground page (its own options: --help)."""
    from bot.emulator.server import main as emulator_main

    setup_logging("WARNING")
    emulator_main(args.rest)


def _ready_to_start(settings: Settings) -> str:
    """Everything the stack needs before it starts anything: the schema, the playground's
    sample mediators, a conversation store and content that passes the check; the Redis URL
    for Rasa's stores ("" for memory). Exits saying why when one is missing."""
    from bot.content.live import ContentRefused, LiveContent
    from bot.stack import StoreRefused, conversation_store
    from bot.storage import migrate
    from bot.telegram.content_manifest import uses

    migrate.upgrade(settings.database_url)
    # Made-up listings are for the playground only: never loaded for real Telegram users.
    if settings.playground and config.sample_listings():
        from bot.directory.loading import ensure_samples
        from bot.places.gazetteer import default as gazetteer

        if added := ensure_samples(settings.database_url, gazetteer()):
            print(f"the directory was empty: {added} sample listings loaded")
    try:
        redis_url, store_line = conversation_store(dict(os.environ), settings.playground)
    except StoreRefused as exc:
        sys.exit(str(exc))
    print(store_line, flush=True)
    # The bot would refuse it too, but only after Rasa took its minute to load.
    try:
        LiveContent.checked(settings.content_dir, uses())
    except ContentRefused as exc:
        sys.exit(content_refused(exc))
    return redis_url


def cmd_stack(args: argparse.Namespace) -> None:
    """Start emulator (without a token), action server, Rasa and bot; Ctrl-C stops them all."""
    from bot.config import Settings
    from bot.stack import Stack

    settings = Settings.from_env()
    redis_url = _ready_to_start(settings)
    from bot.stack import HEALTH_PORT_DEFAULT, Ports
    from bot.supervisor import GiveUp, exit_with_parent

    stack = Stack(
        playground=settings.playground,
        env={"REDIS_URL": redis_url},
        ports=Ports(health=settings.health_port or HEALTH_PORT_DEFAULT),
        log_dir=settings.var_dir / "log",
    )
    if args.exit_with_parent:
        exit_with_parent()

    def terminate(signum: int, frame: object) -> None:
        # `kill`, systemd, docker stop, a closed terminal, and (with --exit-with-parent) the
        # end of `make`: stop the children as Ctrl-C does.
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, terminate)
    print(f"Kelisim is starting; logs are in {stack.log_dir}/", flush=True)
    try:
        stack.start(say=lambda line: print(f"  {line}", flush=True))
        if settings.playground:
            print(f"\nReady. Open {stack.emulator_url}/ to talk to the bot (Ctrl-C stops it all).")
        else:
            print("\nReady. The bot is talking to Telegram (Ctrl-C stops it all).")
        print(f"Health: {stack.health_url}/healthz. A process that crashes is started again.")
        stack.supervise()
    except KeyboardInterrupt:
        print("\nstopping...")
    except GiveUp as exc:
        print(f"\n{exc}; stopping everything", file=sys.stderr)
        sys.exit(1)
    except RuntimeError as exc:
        print(f"\n{exc}", file=sys.stderr)
        sys.exit(1)
    finally:
        # One orderly stop: more signals (a second Ctrl-C, make ending) must not cut it short;
        # whatever is left when this process ends gets SIGTERM from the kernel anyway.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        stack.stop()


def cmd_cluster(args: argparse.Namespace) -> None:
    """Run the replicas on this machine with the playground (receiver, workers, Rasa and action
    servers behind balancers); Ctrl-C stops them all."""
    import time

    from bot.cluster.runner import Cluster, Shape, free_base_port
    from bot.config import Settings

    settings = Settings.from_env()
    redis_url = config.redis_url() or "redis://127.0.0.1:6379/0"
    _ready_to_start(settings)
    cluster = Cluster(
        shape=Shape(args.workers, args.rasa, args.actions),
        base_port=args.port or free_base_port(),
        env={"REDIS_URL": redis_url, "DATABASE_URL": settings.database_url},
        log_dir=settings.var_dir / "log" / "cluster",
    )
    print(f"Kelisim's replicas are starting; logs are in {cluster.log_dir}/", flush=True)
    try:
        cluster.start(say=lambda line: print(f"  {line}", flush=True))
        print(f"\nReady. Open {cluster.emulator_url}/ to talk to the bot (Ctrl-C stops it all).")
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nstopping...")
    except RuntimeError as exc:
        print(f"\n{exc}", file=sys.stderr)
        sys.exit(1)
    finally:
        cluster.stop()


def register(add: Adder) -> None:
    """Its commands, their arguments and help."""
    add("serve", cmd_serve)
    add("worker", cmd_worker)
    add("receive", cmd_receive)
    cluster = add("cluster", cmd_cluster)
    cluster.add_argument("--workers", type=int, default=2)
    cluster.add_argument("--rasa", type=int, default=2)
    cluster.add_argument("--actions", type=int, default=2)
    cluster.add_argument("--port", type=int, default=0, help="the first of 60 ports (emulator)")
    balance = add("balance", cmd_balance)
    balance.add_argument("--host", default="127.0.0.1")
    balance.add_argument("--port", type=int, required=True)
    balance.add_argument("upstreams", nargs="+", help="base URLs of the replicas")
    actions = add("actions", cmd_actions)
    actions.add_argument("--host", default="127.0.0.1")
    actions.add_argument("--port", type=int, default=5055)
    # The emulator parses its own options; main() hands them over untouched.
    add("emulator", cmd_emulator).add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    add("stack", cmd_stack).add_argument(
        "--exit-with-parent",
        action="store_true",
        help="stop everything when the process that started this one ends (make run uses it)",
    )
