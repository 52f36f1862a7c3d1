"""#15: two `make run` instances from one checkout (PORT=8000 and PORT=9000, each its own
database) shared var/demo-token, so the second seed_demo overwrote the first instance's token
and the first embed demo page broke (401). Each instance now keeps its own file, keyed by PORT."""
import os
import subprocess
from pathlib import Path

from embed.demo_host import default_token_file

ROOT = Path(__file__).resolve().parents[2]


def test_each_port_has_its_own_token_file():
    first, second = default_token_file({"PORT": "8000"}), default_token_file({"PORT": "9000"})
    assert first != second
    assert first == "var/demo-token-8000" and second == "var/demo-token-9000"
    assert default_token_file({}) == "var/demo-token-8000"
    assert default_token_file({"PORT": "9000", "AUDOME_DEMO_TOKEN_FILE": "/tmp/x"}) == "/tmp/x"


def test_run_sh_gives_seed_demo_and_the_demo_host_the_same_per_port_file():
    """scripts/run.sh's settings block, run as it is for PORT=9000: the file seed_demo writes is
    the one the demo host (started with the exported environment) reads."""
    script = (ROOT / "scripts/run.sh").read_text()
    block = script[script.index('PORT="${PORT:-8000}"'):script.index("PY=.venv/bin/python")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDOME_DEMO")}
    env["PORT"] = "9000"
    out = subprocess.run(["bash", "-c", block + '\necho "$AUDOME_DEMO_TOKEN_FILE"'], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["var/demo-token-9000"]
    assert 'seed_demo --token-file "$AUDOME_DEMO_TOKEN_FILE"' in script
    assert default_token_file({"PORT": "9000", "AUDOME_DEMO_TOKEN_FILE": out[0]}) == out[0]
