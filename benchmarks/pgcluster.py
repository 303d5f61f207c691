"""A throw-away PostgreSQL cluster from Debian's binaries, for the payment-creation benchmark."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator

from benchmarks.services import free_port

__all__ = ["PostgresMissing", "throwaway_postgres"]


class PostgresMissing(Exception):
    pass


@contextlib.contextmanager
def throwaway_postgres(url: str | None) -> Iterator[str]:
    """``url`` when given; else a cluster in a temp dir, on a free port, removed afterwards."""
    if url:
        yield url
        return
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        raise PostgresMissing("no PostgreSQL binaries (apt-get install postgresql)")
    bindir = os.path.dirname(bins[-1])
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the cluster as the postgres user
        try:
            user = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise PostgresMissing("no postgres user to run the cluster as") from exc
        run_as = ["runuser", "-u", "postgres", "--"]
    workdir = tempfile.mkdtemp(prefix="bench-pg-")
    if run_as:
        os.chown(workdir, user.pw_uid, user.pw_gid)
    data, port = os.path.join(workdir, "data"), free_port()
    try:
        subprocess.run(
            [*run_as, f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "postgres"],
            capture_output=True,
            check=True,
        )
        options = f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=on"
        subprocess.run(
            [
                *run_as,
                f"{bindir}/pg_ctl",
                "-D",
                data,
                "-o",
                options,
                "-w",
                "-l",
                os.path.join(workdir, "log"),
                "start",
            ],
            capture_output=True,
            check=True,
        )
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                [*run_as, f"{bindir}/pg_ctl", "-D", data, "-m", "fast", "stop"],
                capture_output=True,
                check=False,
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
