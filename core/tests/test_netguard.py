"""core.netguard: every internal-address form is refused before any connection, allowed
hosts are fetched from the exact address that was checked, and redirects are re-checked."""
import socket
import time

import pytest
from django.test import override_settings

from core import netguard
from core.netguard import FetchError, UnsafeUrl, check_url, safe_request
from core.tests.tlsserver import LocalServer, make_test_ca, raw

# --- check_url: refusals -------------------------------------------------------------------

INTERNAL = [
    # loopback, every spelling
    "https://127.0.0.1/", "https://127.0.0.1./", "https://127.8.9.10/", "https://localhost/",
    "https://LOCALHOST./hook", "https://[::1]/", "https://[0:0:0:0:0:0:0:1]/",
    "https://2130706433/", "https://0x7f000001/", "https://0x7f.0x0.0x0.0x1/", "https://0x7f.1/",
    "https://0177.0.0.1/", "https://017700000001/", "https://127.1/", "https://127.0.1/",
    "https://127.0.0.01/", "https://１２７.０.０.１/",
    # private, shared, link-local, unspecified, multicast, reserved, broadcast
    "https://10.0.0.1/", "https://10.255.255.255:8443/", "https://172.16.0.1/", "https://172.31.255.1/",
    "https://192.168.1.1/", "https://167772161/", "https://10.1/", "https://100.64.0.1/",
    "https://100.127.255.254/", "https://169.254.1.1/", "https://0.0.0.0/", "https://0/", "https://[::]/",
    "https://224.0.0.1/", "https://239.255.255.250/", "https://240.0.0.1/", "https://255.255.255.255/",
    "https://192.0.2.10/", "https://198.18.0.1/",
    # IPv6 internal ranges and IPv6 forms that embed an internal IPv4
    "https://[fc00::1]/", "https://[fd12:3456::1]/", "https://[fe80::1]/", "https://[ff02::1]/",
    "https://[::ffff:127.0.0.1]/", "https://[::ffff:7f00:1]/", "https://[::ffff:10.0.0.1]/",
    "https://[::127.0.0.1]/", "https://[::10.0.0.1]/", "https://[2002:7f00:1::]/",
    "https://[2002:a00:1::1]/", "https://[64:ff9b::7f00:1]/", "https://[64:ff9b::10.0.0.1]/",
    "https://[2001:db8::1]/",
]

METADATA = [
    "https://169.254.169.254/latest/meta-data/", "https://169.254.169.254:80/", "https://2852039166/",
    "https://0xa9fea9fe/", "https://0251.0376.0251.0376/", "https://169.254.43518/",
    "https://[::ffff:169.254.169.254]/", "https://[::ffff:a9fe:a9fe]/", "https://[2002:a9fe:a9fe::]/",
    "https://[64:ff9b::a9fe:a9fe]/", "https://[64:ff9b::169.254.169.254]/", "https://[fd00:ec2::254]/",
    "https://100.100.100.200/", "https://[::ffff:100.100.100.200]/", "https://1684300008/",
    "http://169.254.169.254/", "http://[fd00:ec2::254]/", "https://169.254.170.2/v2/credentials",
]


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_are_refused(url, settings):
    settings.AUDOME_ALLOW_PRIVATE_URLS = False
    settings.AUDOME_FETCH_ALLOW_CIDRS = []
    with pytest.raises(UnsafeUrl):
        check_url(url)


@pytest.mark.parametrize("url", METADATA)
def test_metadata_is_refused_whatever_the_settings(url, settings):
    settings.AUDOME_ALLOW_PRIVATE_URLS = True
    settings.AUDOME_FETCH_ALLOW_CIDRS = ["0.0.0.0/0", "::/0", "169.254.169.254/32", "fd00:ec2::254/128"]
    with pytest.raises(UnsafeUrl):
        check_url(url)


@pytest.mark.parametrize("url", [
    "http://8.8.8.8/", "ftp://8.8.8.8/", "file:///etc/passwd", "gopher://8.8.8.8/", "javascript:alert(1)",
    "//8.8.8.8/", "8.8.8.8", "", "https://", "https:///path", "https://user:pw@8.8.8.8/",
    "https://8.8.8.8@127.0.0.1/", "https://8.8.8.8\\@127.0.0.1/", "https://8.8.8.8 /", "https://8.8.8.8/\n",
    "https://8.8.8.8:0/", "https://8.8.8.8:99999/", "https://exa mple.com/", "https://[fe80::1%25eth0]/",
    "https://[::1/", "https://-/", "https://a..b/",
])
def test_malformed_or_wrong_scheme_is_refused(url, settings):
    settings.AUDOME_ALLOW_PRIVATE_URLS = False
    with pytest.raises(UnsafeUrl):
        check_url(url)


def test_refusal_message_says_why(settings):
    settings.AUDOME_ALLOW_PRIVATE_URLS = False
    with pytest.raises(UnsafeUrl, match="metadata"):
        check_url("https://169.254.169.254/")
    with pytest.raises(UnsafeUrl, match="loopback"):
        check_url("https://[::ffff:127.0.0.1]/")
    with pytest.raises(UnsafeUrl, match="unusual spelling"):
        check_url("https://2130706433/")
    with pytest.raises(UnsafeUrl, match="https://"):
        check_url("http://8.8.8.8/")


# --- DNS: names are resolved and EVERY address is checked ---------------------------------

@pytest.fixture
def fake_dns(monkeypatch):
    """Map names to addresses; count lookups. Other names go to the real resolver."""
    table: dict[str, list[str]] = {}
    calls: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        calls.append(host)
        if host in table:
            out = []
            for addr in table[host]:
                if ":" in addr:
                    out.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (addr, port or 0, 0, 0)))
                else:
                    out.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (addr, port or 0)))
            return out
        if host.endswith(".test"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, port, family, type, proto, flags)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table, calls


def test_name_resolving_to_internal_address_is_refused(fake_dns, settings):
    settings.AUDOME_ALLOW_PRIVATE_URLS = False
    table, _ = fake_dns
    table["rebind.test"] = ["127.0.0.1"]
    table["intranet.test"] = ["10.1.2.3"]
    table["meta.test"] = ["169.254.169.254"]
    table["mixed.test"] = ["93.184.215.14", "192.168.0.7"]  # one bad address is enough
    table["v6.test"] = ["::ffff:127.0.0.1"]
    for name in ("rebind.test", "intranet.test", "meta.test", "mixed.test", "v6.test"):
        with pytest.raises(UnsafeUrl):
            check_url(f"https://{name}/hook")


def test_public_name_is_allowed_and_returns_its_addresses(fake_dns, settings):
    settings.AUDOME_ALLOW_PRIVATE_URLS = False
    table, _ = fake_dns
    table["hooks.example.test"] = ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]
    addrs = check_url("https://hooks.example.test/path?q=1")
    assert [str(a) for a in addrs] == ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]
    assert [str(a) for a in check_url("https://8.8.8.8:8443/x")] == ["8.8.8.8"]
    assert [str(a) for a in check_url("https://[2606:4700:4700::1111]/")] == ["2606:4700:4700::1111"]


def test_unresolvable_name_is_refused_by_check_and_a_fetch_error_for_requests(fake_dns, settings):
    settings.AUDOME_ALLOW_PRIVATE_URLS = False
    with pytest.raises(UnsafeUrl, match="does not resolve"):
        check_url("https://nowhere.test/")
    with pytest.raises(FetchError):
        safe_request("GET", "https://nowhere.test/")


# --- settings ------------------------------------------------------------------------------

def test_allow_private_urls_allows_http_and_loopback_but_never_metadata(settings):
    settings.AUDOME_ALLOW_PRIVATE_URLS = True
    settings.AUDOME_FETCH_ALLOW_CIDRS = []
    assert [str(a) for a in check_url("http://127.0.0.1:8000/hook")] == ["127.0.0.1"]
    assert check_url("https://10.0.0.1/")
    assert check_url("http://[::1]:9/")
    with pytest.raises(UnsafeUrl):
        check_url("http://169.254.169.254/")
    with pytest.raises(UnsafeUrl):  # odd spellings stay refused: nobody needs them
        check_url("http://2130706433/")
    with pytest.raises(UnsafeUrl):  # an explicit https-only caller keeps https only
        check_url("http://127.0.0.1/", allow_http=False)


def test_allow_cidrs_count_as_public_and_nothing_else(settings):
    settings.AUDOME_ALLOW_PRIVATE_URLS = False
    settings.AUDOME_FETCH_ALLOW_CIDRS = ["127.0.0.2/32", "10.20.0.0/16"]
    assert check_url("https://127.0.0.2/")
    assert check_url("https://10.20.3.4/")
    assert check_url("https://[::ffff:127.0.0.2]/")
    for url in ("https://127.0.0.1/", "https://10.21.0.1/", "http://127.0.0.2/"):
        with pytest.raises(UnsafeUrl):
            check_url(url)


# --- safe_request against real local servers -----------------------------------------------

@pytest.fixture(scope="module")
def test_ca():
    return make_test_ca(names=("hooks.test", "rebind.test"), ips=("127.0.0.1", "127.0.0.2"))


@pytest.fixture
def guarded(settings, test_ca):
    """127.0.0.2 counts as public; our test CA is trusted; private URLs are OFF."""
    settings.AUDOME_ALLOW_PRIVATE_URLS = False
    settings.AUDOME_FETCH_ALLOW_CIDRS = ["127.0.0.2/32"]
    settings.AUDOME_FETCH_CA_FILE = str(test_ca.ca_file)
    return settings


def test_https_fetch_from_allowed_address_verifies_the_certificate(guarded, test_ca):
    with LocalServer(host="127.0.0.2", tls=test_ca, handler=lambda r, i: (200, {"X-Thing": "1"}, b"hello")) as srv:
        resp = safe_request("POST", srv.url("/hook?a=1"), headers={"Content-Type": "application/json"},
                            body=b'{"x":1}')
    assert resp.status == 200 and resp.content == b"hello" and resp.ok
    assert resp.headers["x-thing"] == "1" and resp.headers.get("X-Thing") == "1"
    assert resp.elapsed_ms > 0
    got = srv.received[0]
    assert (got.method, got.path, got.body) == ("POST", "/hook?a=1", b'{"x":1}')
    assert got.headers["host"] == f"127.0.0.2:{srv.port}"


def test_untrusted_certificate_is_a_fetch_error(guarded, test_ca, settings):
    settings.AUDOME_FETCH_CA_FILE = None
    with LocalServer(host="127.0.0.2", tls=test_ca) as srv:
        with pytest.raises(FetchError, match="TLS"):
            safe_request("GET", srv.url("/"))
    assert srv.received == []


def test_connects_to_the_checked_address_with_sni_for_the_name_and_one_lookup(guarded, test_ca, fake_dns):
    table, calls = fake_dns
    table["hooks.test"] = ["127.0.0.2"]
    table["wrong-name.test"] = ["127.0.0.2"]
    with LocalServer(host="127.0.0.2", tls=test_ca) as srv:
        resp = safe_request("GET", srv.url("/x", host="hooks.test"))
        assert resp.status == 200
        assert calls.count("hooks.test") == 1  # resolved once, never again for the connection
        assert srv.received[0].headers["host"] == f"hooks.test:{srv.port}"
        # The certificate is checked against the NAME: an address that serves another name fails.
        with pytest.raises(FetchError, match="TLS"):
            safe_request("GET", srv.url("/x", host="wrong-name.test"))


def test_dns_rebinding_cannot_swap_the_address_after_the_check(guarded, test_ca, fake_dns):
    """The name answers an allowed address once, loopback afterwards. We connect to the
    address we checked, without a second lookup, so the request reaches the allowed server."""
    table, calls = fake_dns
    table["rebind.test"] = ["127.0.0.2"]
    with LocalServer(host="127.0.0.2", tls=test_ca) as good:
        real_lookup = socket.getaddrinfo

        def rebinding(host, *args, **kwargs):
            out = real_lookup(host, *args, **kwargs)
            if host == "rebind.test":
                table["rebind.test"] = ["127.0.0.1"]
            return out

        socket.getaddrinfo = rebinding
        try:
            resp = safe_request("GET", good.url("/", host="rebind.test"))
        finally:
            socket.getaddrinfo = real_lookup
    assert resp.status == 200 and len(good.received) == 1
    assert calls.count("rebind.test") == 1
    assert table["rebind.test"] == ["127.0.0.1"]  # a second lookup would have said loopback


def test_redirect_to_loopback_is_refused_and_loopback_never_contacted(guarded, test_ca):
    with LocalServer(host="127.0.0.1", tls=test_ca) as internal:
        target = internal.url("/secret")
        with LocalServer(host="127.0.0.2", tls=test_ca,
                         handler=lambda r, i: (302, {"Location": target}, b"")) as srv:
            with pytest.raises(UnsafeUrl, match="loopback"):
                safe_request("GET", srv.url("/go"), follow_redirects=True)
            # Not following (the default): the 3xx comes back as it is.
            resp = safe_request("GET", srv.url("/go"))
            assert resp.status == 302 and resp.headers["location"] == target
    assert len(srv.received) == 2
    assert internal.received == []


@pytest.mark.parametrize("location", [
    "https://169.254.169.254/latest/meta-data/", "https://2130706433/", "https://[::1]/",
    "http://127.0.0.2/", "file:///etc/passwd",
])
def test_every_redirect_hop_is_rechecked(guarded, test_ca, location):
    with LocalServer(host="127.0.0.2", tls=test_ca, handler=lambda r, i: (307, {"Location": location}, b"")) as srv:
        with pytest.raises(UnsafeUrl):
            safe_request("GET", srv.url("/"), follow_redirects=True)


def test_allowed_redirects_are_followed_up_to_the_limit(guarded, test_ca):
    def handler(r, i):
        if r.path.startswith("/hop/"):
            n = int(r.path.rsplit("/", 1)[1])
            return (302 if n else 200, {"Location": f"/hop/{n - 1}"} if n else {}, f"at {n}")
        return 404, {}, b""

    with LocalServer(host="127.0.0.2", tls=test_ca, handler=handler) as srv:
        resp = safe_request("POST", srv.url("/hop/3"), body=b"x", follow_redirects=True)
        assert resp.status == 200 and resp.content == b"at 0" and resp.url.endswith("/hop/0")
        assert [r.method for r in srv.received] == ["POST", "GET", "GET", "GET"]  # 302 after POST → GET
        with pytest.raises(FetchError, match="redirects"):
            safe_request("GET", srv.url("/hop/9"), follow_redirects=True, max_redirects=5)


def test_size_cap_with_and_without_content_length(guarded, test_ca):
    @raw
    def no_length(r, i, h):
        h.send_response(200)
        h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(b"x" * 5000)
        h.close_connection = True

    with LocalServer(host="127.0.0.2", tls=test_ca, handler=lambda r, i: (200, {}, b"y" * 5000)) as srv:
        with pytest.raises(FetchError, match="larger"):
            safe_request("GET", srv.url("/"), max_bytes=1000)
        assert len(safe_request("GET", srv.url("/"), max_bytes=5000).content) == 5000
    with LocalServer(host="127.0.0.2", tls=test_ca, handler=no_length) as srv:
        with pytest.raises(FetchError, match="larger"):
            safe_request("GET", srv.url("/"), max_bytes=1000)


def test_total_time_cap_holds_against_a_server_that_drips(guarded, test_ca):
    @raw
    def drip(r, i, h):
        try:
            h.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for _ in range(100):
                h.wfile.write(b"X-Drip: 1\r\n")
                h.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass
        h.close_connection = True

    with LocalServer(host="127.0.0.2", tls=test_ca, handler=drip) as srv:
        with pytest.raises(FetchError, match="Timed out"):
            safe_request("GET", srv.url("/"), timeout=0.8)


def test_refused_connection_is_a_fetch_error(guarded):
    sock = socket.socket()
    sock.bind(("127.0.0.2", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(FetchError):
        safe_request("GET", f"https://127.0.0.2:{port}/", timeout=2)


@override_settings(AUDOME_ALLOW_PRIVATE_URLS=True, AUDOME_FETCH_ALLOW_CIDRS=[])
def test_plain_http_to_loopback_when_private_urls_are_allowed():
    with LocalServer(host="127.0.0.1", handler=lambda r, i: (201, {}, b"made")) as srv:
        resp = safe_request("POST", srv.url("/in"), body="é", headers={"X-A": "b"})
    assert (resp.status, resp.content) == (201, b"made")
    assert srv.received[0].body == "é".encode() and srv.received[0].headers["x-a"] == "b"


@override_settings(AUDOME_ALLOW_PRIVATE_URLS=False, AUDOME_FETCH_ALLOW_CIDRS=[])
def test_safe_request_refuses_before_connecting():
    with LocalServer(host="127.0.0.1") as srv:
        with pytest.raises(UnsafeUrl):
            safe_request("GET", srv.url("/").replace("http://", "https://"))
        with pytest.raises(UnsafeUrl):
            safe_request("GET", srv.url("/"))
    assert srv.received == []


def test_module_exports_the_interface():
    for name in ("UnsafeUrl", "FetchError", "SafeResponse", "check_url", "safe_request"):
        assert hasattr(netguard, name)
    assert issubclass(netguard.UnsafeUrl, Exception) and issubclass(netguard.FetchError, Exception)


@pytest.mark.parametrize("url,internal", [
    ("https://127.0.0.1.nip.io/", True), ("https://app.10.0.0.5.nip.io/", True), ("https://10-0-0-1.sslip.io/", True),
    ("https://7f000001.nip.io/", True), ("https://169.254.169.254.xip.io/", True), ("https://foo.localtest.me/", True),
    ("https://lvh.me/", True), ("https://db.internal/", True), ("https://printer.local/", True),
    ("https://x.localhost/", True), ("https://8.8.8.8.nip.io/", False), ("https://example.com/", False),
    ("https://hooks.stripe-like.example/", False), ("https://deadbeef.example.com/", False),
])
def test_name_suggests_internal_for_names_that_do_not_resolve(url, internal, settings):
    settings.AUDOME_ALLOW_PRIVATE_URLS = False
    settings.AUDOME_FETCH_ALLOW_CIDRS = []
    assert (netguard.name_suggests_internal(url) is not None) is internal


def test_ssl_cert_file_env_is_honoured_too(guarded, test_ca, settings, monkeypatch):
    settings.AUDOME_FETCH_CA_FILE = None
    monkeypatch.setenv("SSL_CERT_FILE", str(test_ca.ca_file))
    with LocalServer(host="127.0.0.2", tls=test_ca) as srv:
        assert safe_request("GET", srv.url("/")).status == 200


def test_truncate_keeps_the_first_bytes_instead_of_failing(guarded, test_ca):
    with LocalServer(host="127.0.0.2", tls=test_ca, handler=lambda r, i: (200, {}, b"abc" * 1000)) as srv:
        resp = safe_request("GET", srv.url("/"), max_bytes=10, truncate=True)
    assert resp.status == 200 and resp.content == b"abcabcabca"
