"""The analysis package never imports Django (it must run and be benchmarked alone)."""

import subprocess
import sys


def test_importing_the_analysis_package_does_not_import_django():
    code = (
        "import sys, trygg.analysis.grid, trygg.analysis.hotspots, trygg.analysis.trends;"
        "print('django' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
