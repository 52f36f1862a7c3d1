"""The package is typed (py.typed): mypy --strict finds nothing in it."""
import shutil
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"


def test_mypy_strict_is_clean():
    mypy = shutil.which("mypy", path=str(Path(sys.executable).parent))
    assert mypy is not None, "mypy is in requirements.txt: the venv must have it"
    result = subprocess.run([mypy, "--strict", "--no-incremental", "-p", "audome"], cwd=SRC, capture_output=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout.decode()
