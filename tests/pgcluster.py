"""A throwaway PostgreSQL cluster for the tests, from Debian's server binaries (`make test` installs them).

initdb refuses to run as root: as root the cluster belongs to the ``postgres`` user (the Debian
package creates it) and every server command runs through ``runuser``.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Cluster", "find_bin", "postgres_cluster", "running_cluster"]


def find_bin() -> Path | None:
    """The newest /usr/lib/postgresql/<major>/bin that has initdb (or LOTSE_TEST_PG_BIN)."""
    if os.environ.get("LOTSE_TEST_PG_BIN"):
        return Path(os.environ["LOTSE_TEST_PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


@dataclass(frozen=True)
class Cluster:
    """A running test cluster: its URL, and ``stop()`` / ``start()`` to take it down and bring it back."""

    url: str
    start: Callable[[], None]
    stop: Callable[[], None]


@contextmanager
def postgres_cluster(port: int) -> Iterator[Cluster]:
    """Start a cluster on 127.0.0.1:``port`` with database ``lotse``; yields it; stops and removes it."""
    bindir = find_bin()
    if bindir is None or not (bindir / "initdb").exists():
        where = bindir or "/usr/lib/postgresql/*/bin"
        raise RuntimeError(f"No PostgreSQL server binaries ({where}/initdb). Run `make postgres` (as root it "
                           "installs Debian's postgresql package) or `apt-get install postgresql`.")
    root = Path(tempfile.mkdtemp(prefix="lotse-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            raise RuntimeError("Running as root needs runuser to start PostgreSQL as the postgres user.")
        prefix = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
        root.chmod(0o755)

    def run(*cmd: str) -> None:
        proc = subprocess.run([*prefix, *cmd], capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stdout}{proc.stderr}")

    run(str(bindir / "initdb"), "-D", str(data), "-U", "lotse", "--auth=trust", "-E", "UTF8", "--no-sync")
    opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
    cluster = Cluster(
        url=f"postgresql://lotse@127.0.0.1:{port}/lotse",
        start=lambda: run(str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(root / "server.log"),
                          "-w", "start"),
        stop=lambda: run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"))
    try:
        cluster.start()
        run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "lotse", "lotse")
        yield cluster
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def running_cluster(port: int) -> Iterator[Cluster]:
    """For a pytest fixture: the cluster, or a failure (never a skip) naming how to get the binaries."""
    import pytest

    ctx = postgres_cluster(port)
    try:
        cluster = ctx.__enter__()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield cluster
    finally:
        ctx.__exit__(None, None, None)
