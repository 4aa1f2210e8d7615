"""Run in Rasa's environment: how many threads numpy's BLAS gets once the launcher set it up.

Prints RESULT {"before": [...], "after": [...]}: BLAS thread counts as threadpoolctl reads them,
in a fresh interpreter without and with kelisim_engine.serve.one_blas_thread()."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = """
import json, sys
if sys.argv[1] == "launcher":
    from kelisim_engine.serve import one_blas_thread
    one_blas_thread()
import numpy, threadpoolctl
print(json.dumps([p["num_threads"] for p in threadpoolctl.threadpool_info()
                  if p["user_api"] == "blas"]))
"""


def counts(mode: str) -> list[int]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode], env=env, capture_output=True, text=True, check=True
    )
    found: list[int] = json.loads(done.stdout)
    return found


print("RESULT " + json.dumps({"before": counts("bare"), "after": counts("launcher")}))
