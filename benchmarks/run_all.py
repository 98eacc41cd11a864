"""Run every benchmark in this folder and print their tables (``make bench``)."""

from __future__ import annotations

import pathlib
import subprocess
import sys

here = pathlib.Path(__file__).resolve().parent
for script in sorted(here.glob("bench_*.py")):
    print(f"\n=== {script.name}", flush=True)
    subprocess.run([sys.executable, str(script)], check=True)
