import subprocess
import tempfile
import textwrap
from pathlib import Path

import pytest

from core.tests.tlsserver import LocalServer, make_test_ca

# The verify function from the public docs (/docs/webhooks), verbatim: what customers run.
NODE_VERIFY = textwrap.dedent("""\
    import crypto from 'node:crypto';
    import fs from 'node:fs';

    function verify(rawBody, header, secret) {
      const [tPart, sigPart] = header.split(',');
      const t = tPart.split('=')[1];
      const expected = crypto
        .createHmac('sha256', secret)
        .update(`${t}.${rawBody}`)
        .digest('hex');
      return crypto.timingSafeEqual(
        Buffer.from(expected),
        Buffer.from(sigPart.split('=')[1])
      );
    }

    const [bodyFile, header, secret] = process.argv.slice(2);
    const rawBody = fs.readFileSync(bodyFile, 'utf8');
    let ok = false;
    try { ok = verify(rawBody, header, secret); } catch (e) { ok = false; }
    process.stdout.write(ok ? 'valid' : 'invalid');
""")


def node_verify(body: bytes, header: str, secret: str) -> bool:
    """Run the docs' verify() under /usr/bin/node."""
    workdir = Path(tempfile.mkdtemp(prefix="audome-node-verify-"))
    script = workdir / "verify.mjs"
    script.write_text(NODE_VERIFY)
    body_file = workdir / "body.json"
    body_file.write_bytes(body)
    out = subprocess.run(["/usr/bin/node", str(script), str(body_file), header, secret],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout in ("valid", "invalid"), out.stdout
    return out.stdout == "valid"


@pytest.fixture
def no_broker(monkeypatch):
    """Record delivery tasks instead of sending them to Redis (tests drive the task by hand)."""
    from webhooks import tasks

    sent = []

    def apply_async(args=None, kwargs=None, countdown=None, **options):
        sent.append({"delivery_id": args[0], "countdown": countdown})

    monkeypatch.setattr(tasks.deliver, "apply_async", apply_async)
    return sent


@pytest.fixture
def receiver():
    """A plain-HTTP receiver on loopback (tests that use it turn AUDOME_ALLOW_PRIVATE_URLS on)."""
    servers = []

    def start(handler=None, host="127.0.0.1", tls=None):
        srv = LocalServer(host=host, tls=tls, handler=handler)
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.close()


@pytest.fixture(scope="session")
def test_ca():
    return make_test_ca(names=("hooks.test",), ips=("127.0.0.1", "127.0.0.2"))
