"""A throwaway PostgreSQL for the benchmarks: starts tests/pg.py's cluster (initdb in a temporary directory, as the
postgres user when run as root, trust authentication on 127.0.0.1, fsync off), creates the database `bench_0` and
prints its URL; stops and deletes everything on Ctrl-C / SIGTERM, or when the command given after `--` exits.

    .venv/bin/python bench/pg.py                    # prints postgresql+psycopg://tracker@127.0.0.1:PORT/bench_0
    .venv/bin/python bench/pg.py -- .venv/bin/python bench/import.py --rows 1000 --repeat 1

With a command, the command runs with DATABASE_URL set to the database (every bench script defaults to it) and
its exit code is returned. fsync is off as in the tests: figures compare query and Python time, not disk flushes.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.pg import postgres_cluster  # noqa: E402


def _stop_on_sigterm() -> None:
    def handler(_signum, _frame) -> None:
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, handler)


def main(argv: list[str] | None = None) -> int:
    """Run the cluster until interrupted (no command) or for the life of the command after `--`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND ARGS: run it with DATABASE_URL set")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    _stop_on_sigterm()
    with postgres_cluster() as cluster:
        url = cluster.create_database("bench")
        print(url, flush=True)
        try:
            if command:
                return subprocess.run(command, check=False, env={**os.environ, "DATABASE_URL": url}).returncode
            print("PostgreSQL is running; Ctrl-C stops it and deletes its files.", file=sys.stderr, flush=True)
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
