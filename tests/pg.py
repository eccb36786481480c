"""A throwaway PostgreSQL cluster from Debian's postgresql on a free port (initdb + pg_ctl), for any test that needs
one: `pg_cluster` (session) in tests/conftest.py starts it once; `cluster.create_database()` gives each user its own
database. Mandatory like the browser tests: scripts/test.sh installs postgresql; a missing server is a failure."""
from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PgCluster:
    """A running cluster: superuser `tracker`, trust authentication on 127.0.0.1:port."""
    port: int
    bindir: str
    _names: Iterator[int] = field(default_factory=itertools.count)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://tracker@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, prefix: str = "t") -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        name = f"{prefix}_{next(self._names)}"
        with psycopg.connect(host="127.0.0.1", port=self.port, user="tracker", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextmanager
def postgres_cluster() -> Iterator[PgCluster]:
    """Start a cluster in a temporary directory; stop and delete it afterwards."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert bins, "PostgreSQL server binaries missing: apt-get install postgresql"
    bindir = os.path.dirname(bins[-1])
    work = tempfile.mkdtemp(prefix="pgtest-")
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: run the cluster as the postgres user
        pw = pwd.getpwnam("postgres")
        os.chown(work, pw.pw_uid, pw.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = os.path.join(work, "data"), free_port()
    subprocess.run([*as_user, f"{bindir}/initdb", "-D", data, "-U", "tracker", "--auth=trust", "-E", "UTF8",
                    "--locale=C.UTF-8"], check=True, capture_output=True)
    # pg_ctl -w waits until the server accepts connections
    subprocess.run([*as_user, f"{bindir}/pg_ctl", "-D", data, "-l", os.path.join(work, "log"), "-w", "-o",
                    f"-p {port} -k {work} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                   check=True, capture_output=True)
    try:
        yield PgCluster(port=port, bindir=bindir)
    finally:
        subprocess.run([*as_user, f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
