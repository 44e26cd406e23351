"""A real PostgreSQL server for the tests: the Debian package's binaries, a throw-away cluster in a
temporary folder, reachable only through a Unix socket in that folder (no TCP port), stopped and
removed by the fixture that started it.

PostgreSQL refuses to run as root; as root the cluster belongs to the `postgres` user the Debian
package creates.
"""
from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator


def pg_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


def _as_owner(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextlib.contextmanager
def running_postgres() -> Iterator[str]:
    """Start a cluster; yield a SQLAlchemy URL (database `bukti`) for psycopg; stop and remove it."""
    bin_dir = pg_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    base = Path(tempfile.mkdtemp(prefix="bukti-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
        shutil.chown(sock, "postgres", "postgres")
    run = lambda *cmd: subprocess.run(_as_owner([str(bin_dir / cmd[0]), *cmd[1:]]), check=True,  # noqa: E731
                                      capture_output=True, text=True, timeout=120)
    try:
        run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        run("pg_ctl", "-D", str(data), "-l", str(base / "log"), "-w", "-t", "60", "start",
            "-o", f"-c listen_addresses='' -k {sock} -c fsync=off -c max_connections=40")
        try:
            run("createdb", "-h", str(sock), "-U", "postgres", "bukti")
            yield f"postgresql+psycopg://postgres@/bukti?host={sock}"
        finally:
            run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(base, ignore_errors=True)
