"""A real single-node Kafka broker (KRaft) without Docker, for tests, dev and benchmarks.

The broker's jars come from Maven Central (deploy/local/kafka/pom.xml, assembled once by
`mvn dependency:copy-dependencies` into a cache) and run as `java -cp "libs/*" kafka.Kafka`.
`restart()` keeps the ports and the data dir, so tests can bounce the broker mid-test and
prove nothing is lost.
"""

from __future__ import annotations

import asyncio
import base64
import fcntl
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from string import Template

from patronage.local import ManagedServer, cache_root, free_port, start_watchdog

KAFKA_VERSION = "4.1.2"  # keep in step with deploy/local/kafka/pom.xml
DEPLOY_DIR = Path(__file__).resolve().parents[2] / "deploy" / "local" / "kafka"
JVM = ["-Xmx512m", "-Xms256m", "-Djava.awt.headless=true", "-XX:+ExitOnOutOfMemoryError"]
# C1-only JIT: measured ~2.0 s instead of ~2.65 s from launch to ready, but lower peak
# throughput, so it is opt-in (quick_start=True, the test suite), never for benchmarks.
# (-XX:+UseSerialGC saved ~0.15 s, within noise, so G1 stays.)
QUICK_START = ["-XX:TieredStopAtLevel=1"]



def ensure_kafka_jars(cache_dir: Path | None = None) -> Path:
    """The directory of the broker's jars, running Maven only when they are not cached yet.

    A marker holding the pom's hash is written after a complete copy, so an interrupted
    download or an edited pom is redone; a file lock lets parallel test workers share it.
    """
    pom = DEPLOY_DIR / "pom.xml"
    home = cache_root(cache_dir) / f"kafka-{KAFKA_VERSION}"
    libs, marker = home / "libs", home / "libs.complete"
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()
    if marker.is_file() and marker.read_text().strip() == digest:
        return libs
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.is_file() and marker.read_text().strip() == digest:
            return libs  # another process finished it while we waited
        if shutil.which("mvn") is None or shutil.which("java") is None:
            raise RuntimeError("the local Kafka broker needs Java 17+ and Maven on PATH "
                               "(scripts/bootstrap --with-kafka installs them)")
        marker.unlink(missing_ok=True)
        shutil.rmtree(libs, ignore_errors=True)
        done = subprocess.run(
            ["mvn", "-B", "-q", "-f", str(pom), "dependency:copy-dependencies",
             f"-DoutputDirectory={libs}"],
            capture_output=True, text=True, check=False)
        if done.returncode != 0 or not any(libs.glob("kafka_2.13-*.jar")):
            raise RuntimeError(f"mvn could not assemble Kafka {KAFKA_VERSION}:\n"
                               f"{(done.stdout + done.stderr)[-4000:]}")
        marker.write_text(digest)
    return libs


def cluster_id() -> str:
    """What `kafka-storage random-uuid` prints, without starting a JVM: 16 random bytes,
    base64url. Like Kafka's Uuid.randomUuid, never starting with "-" (read as an option)."""
    while (value := base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="))[0] == "-":
        pass
    return value


class LocalKafka(ManagedServer):
    """One broker+controller process; a fresh temp data dir unless `data_dir` is given."""

    def __init__(self, data_dir: Path | str | None = None, *, port: int | None = None,
                 quick_start: bool = False, start_timeout: float = 60.0,
                 cache_dir: Path | None = None) -> None:
        self._owns_dir = data_dir is None
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="kafka-")).absolute()
        self.port = port
        self.controller_port: int | None = None
        self.quick_start, self.start_timeout, self._cache_dir = quick_start, start_timeout, cache_dir
        self.log_path = self.data_dir / "server.log"
        self._process: subprocess.Popen | None = None
        self._watchdog: subprocess.Popen | None = None

    @property
    def bootstrap_servers(self) -> str:
        if self.port is None:
            raise RuntimeError("LocalKafka is not started")
        return f"127.0.0.1:{self.port}"

    def start(self) -> LocalKafka:
        if self._process is not None and self._process.poll() is None:
            return self
        libs = ensure_kafka_jars(self._cache_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        self.controller_port = self.controller_port or free_port()
        props = self.data_dir / "server.properties"
        template = Template((DEPLOY_DIR / "server.properties.template").read_text())
        props.write_text(template.substitute(
            port=self.port, controller_port=self.controller_port, data_dir=self.data_dir))
        java_home = os.environ.get("JAVA_HOME")
        java = [f"{java_home}/bin/java" if java_home else "java", *JVM,
                *(QUICK_START if self.quick_start else []),
                f"-Dlog4j2.configurationFile={DEPLOY_DIR / 'log4j2.properties'}",
                f"-Dkafka.logs.dir={self.data_dir}", "-cp", f"{libs}/*"]
        if not (self.data_dir / "kafka-logs" / "meta.properties").exists():
            # A static quorum (controller.quorum.voters) is formatted without --standalone.
            done = subprocess.run([*java, "-XX:TieredStopAtLevel=1", "kafka.tools.StorageTool",
                                   "format", "-t", cluster_id(), "-c", str(props)],
                                  capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"kafka-storage format failed:\n{done.stdout}{done.stderr}")
        with open(self.data_dir / "kafka.out", "ab") as out:
            self._process = subprocess.Popen([*java, "kafka.Kafka", str(props)],
                                             stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                             start_new_session=True)
        self._track()
        self._watchdog = start_watchdog(self._process.pid, group=True, sig="TERM", grace=20,
                                        remove=[self.data_dir] if self._owns_dir else [])
        pool = ThreadPoolExecutor(1)  # an event loop of its own: callers may be inside one
        try:
            pool.submit(asyncio.run, self._wait_ready()).result()
        except BaseException:
            self.kill()  # also ends _wait_ready, which sees the process gone
            raise
        finally:
            pool.shutdown(wait=False)
        return self

    async def _wait_ready(self) -> None:
        """Until a Metadata request lists the broker (a bound port is not a ready broker)."""
        from aiokafka.client import AIOKafkaClient

        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                raise RuntimeError(f"Kafka exited while starting:\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
                client = AIOKafkaClient(bootstrap_servers=self.bootstrap_servers,
                                        request_timeout_ms=3000)
                try:
                    await client.bootstrap()
                    if client.cluster.brokers():
                        return
                finally:
                    await client.close()
            except Exception:  # not listening / not answering yet
                pass
            await asyncio.sleep(0.2)
        raise TimeoutError(f"Kafka not ready after {self.start_timeout:.0f}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        text = ""
        for name in ("server.log", "kafka.out"):
            if (self.data_dir / name).exists():
                text += (self.data_dir / name).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM (a clean shutdown flushes and closes the logs), SIGKILL after `timeout`."""
        self._signal(signal.SIGTERM, timeout)

    def kill(self) -> None:
        """SIGKILL, as in a crash: the next start recovers the logs."""
        self._signal(signal.SIGKILL, 10.0)

    def restart(self) -> None:
        """Stop and start again on the same ports and the same data."""
        self.stop()
        self.start()

    def _signal(self, sig: signal.Signals, timeout: float) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, sig)
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            except ProcessLookupError:
                pass
        self._stop_watchdog()

    def close(self) -> None:
        """Stop, and delete the data dir if it was a temp dir of our own."""
        self.stop()
        self._untrack()
        if self._owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)


