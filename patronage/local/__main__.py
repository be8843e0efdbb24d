"""`python -m patronage.local`: real Kafka and PostgreSQL without Docker.

  kafka-jars   download the broker's jars from Maven Central (once) and print where they are
  up           start Kafka and PostgreSQL, print `export ...` lines, run until Ctrl-C/SIGTERM
  watchdog     internal: stops a server whose owning Python died without cleaning up
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import threading
import time
from pathlib import Path


def kafka_jars(args: argparse.Namespace) -> None:
    from patronage.local.kafka import ensure_kafka_jars

    print(ensure_kafka_jars(args.cache_dir))


def up(args: argparse.Namespace) -> None:
    from patronage.local.kafka import LocalKafka
    from patronage.local.postgres import LocalPostgres

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    base: Path | None = args.data_dir
    kafka = LocalKafka(base / "kafka" if base else None, port=args.kafka_port)
    postgres = LocalPostgres(base / "postgres" if base else None, port=args.postgres_port,
                             durable=not args.fast)
    try:
        kafka.start()
        postgres.start()
        print(f"export PATRONAGE_KAFKA_BOOTSTRAP={kafka.bootstrap_servers}")
        print(f"export PATRONAGE_DATABASE_URL={postgres.dsn}")
        # Servers on this machine are for development: accept the dev secrets explicitly
        # (the default, prod, refuses them; docs/operations.md, Safe defaults).
        print("export PATRONAGE_ENVIRONMENT=dev")
        print(f"# data: {kafka.data_dir} {postgres.data_dir}; Ctrl-C stops both", flush=True)
        while not stop.wait(1.0):
            pass
    finally:
        postgres.close()
        kafka.close()


def watchdog(args: argparse.Namespace) -> None:
    """Poll until our parent is gone (we get re-parented), then stop the target: `signal`,
    and SIGKILL after `grace` seconds; then delete the `--remove` dirs. Exits quietly,
    removing nothing, when the target goes away while the parent lives."""

    def alive_after(signum: int) -> bool:
        try:
            (os.killpg if args.group else os.kill)(args.target, signum)
            return True
        except ProcessLookupError:
            return False

    while os.getppid() == args.parent:
        if not alive_after(0):
            return
        time.sleep(0.5)
    if alive_after(getattr(signal, f"SIG{args.signal}")):
        deadline = time.monotonic() + args.grace
        while alive_after(0) and time.monotonic() < deadline:
            time.sleep(0.2)
        alive_after(signal.SIGKILL)
    for path in args.remove:
        shutil.rmtree(path, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m patronage.local",
                                     description="Real Kafka and PostgreSQL without Docker.")
    commands = parser.add_subparsers(dest="command", required=True)
    jars = commands.add_parser("kafka-jars", help="download and cache the Kafka jars")
    jars.add_argument("--cache-dir", type=Path, default=None,
                      help="default: $PATRONAGE_CACHE_DIR or ~/.cache/patronage")
    jars.set_defaults(run=kafka_jars)
    serve = commands.add_parser("up", help="run Kafka and PostgreSQL in the foreground")
    serve.add_argument("--data-dir", type=Path, default=None,
                       help="keep data here (kafka/ and postgres/ inside); default: temp dirs")
    serve.add_argument("--kafka-port", type=int, default=None, help="default: a free port")
    serve.add_argument("--postgres-port", type=int, default=None, help="default: a free port")
    serve.add_argument("--fast", action="store_true",
                       help="PostgreSQL without fsync (as in tests); default: durable")
    serve.set_defaults(run=up)
    watch = commands.add_parser("watchdog", help="internal")
    watch.add_argument("--parent", type=int, required=True)
    watch.add_argument("--target", type=int, required=True)
    watch.add_argument("--group", action="store_true", help="target is a process group")
    watch.add_argument("--signal", default="TERM")
    watch.add_argument("--grace", type=float, default=20.0)
    watch.add_argument("--remove", action="append", default=[], help="temp dir to delete")
    watch.set_defaults(run=watchdog)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
