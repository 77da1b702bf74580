"""Import time of the package, in a fresh interpreter (what a student waits for)."""

import subprocess
import sys


def import_crm_research():
    subprocess.run([sys.executable, "-c", "import crm_research"], check=True)


BENCHMARKS = [("import crm_research (fresh interpreter)", "1 import", import_crm_research)]
