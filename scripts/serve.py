"""`streamlit run app.py ARGS…`, started warm: the pages' imports, the engine and the first pages' caches are
filled in this process before the server listens (ui.warmup), so the first visitor after a restart waits no longer
than for any page switch. scripts/serve.sh runs it; any other `streamlit run` works without it."""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    from ui.warmup import freeze_heap, warm
    steps = warm()
    frozen = freeze_heap()
    print("warm-up: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in steps.items())
          + f"; {frozen} objects kept out of the collector", flush=True)
    from streamlit.web import cli
    sys.argv = ["streamlit", "run", "app.py", *argv]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
