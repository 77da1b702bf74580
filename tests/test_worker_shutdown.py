"""No worker process outlives the work that started it: not after bootstrap_map, not after the CLI.

Read from ``/proc`` (Linux): every child process of the interpreter, zombies included (a zombie is a
child that was never joined).
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from crm_research.core.resampling import bootstrap_map

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")

CHILDREN = textwrap.dedent("""
    def children():
        import os
        me, out = os.getpid(), []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                stat = open(f"/proc/{pid}/stat").read()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == me:  # fields: state, ppid, ...
                out.append((int(pid), fields[0], open(f"/proc/{pid}/cmdline").read().replace("\\0", " ")))
        return out
""")
namespace: dict = {}
exec(CHILDREN, namespace)
children = namespace["children"]


def test_bootstrap_map_leaves_no_child_process():
    x = np.arange(50.0)
    before = {pid for pid, _, _ in children()}
    run = bootstrap_map(lambda idx: x[idx].mean(), len(x), bootstrap=400, seed=1, n_jobs=2, chunk_size=20,
                        progress=False)
    assert run.n_jobs == 2, "the test must exercise the worker processes"
    left = [c for c in children() if c[0] not in before]
    assert left == [], f"processes left behind: {left}"


def test_bootstrap_map_leaves_no_child_process_after_an_error():
    def boom(idx):
        raise KeyError("not a counted failure")

    before = {pid for pid, _, _ in children()}
    with pytest.raises(KeyError):
        bootstrap_map(boom, 10, bootstrap=200, seed=1, n_jobs=2, chunk_size=20, progress=False)
    assert [c for c in children() if c[0] not in before] == []


def test_report_cli_leaves_no_worker_alive(tmp_path):
    # the CLI's own main(), then the processes the interpreter still has, before it exits (500 resamples:
    # the SEM bootstrap goes to worker processes from 500 on)
    script = CHILDREN + textwrap.dedent(f"""
        from crm_research.cli import main
        code = main(["report", "--example", "--out", {str(tmp_path / "out")!r}, "--bootstrap", "500"])
        print("exit", code)
        print("children", children())
    """)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=600)
    assert "exit 0" in done.stdout, done.stderr[-2000:]
    assert "children []" in done.stdout, done.stdout
