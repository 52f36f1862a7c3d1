"""The package is typed (py.typed): mypy --strict finds nothing in it."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"


def test_mypy_strict_is_clean():
    mypy = shutil.which("mypy", path=str(Path(sys.executable).parent))
    if mypy is None:
        pytest.skip("mypy is not installed in this environment")
    result = subprocess.run([mypy, "--strict", "--no-incremental", "-p", "audome"], cwd=SRC, capture_output=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout.decode()
