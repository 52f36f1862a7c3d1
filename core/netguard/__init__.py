"""SSRF-safe URL checks and fetches: webhook deliveries and remote images go through here.

`check_url(url)` decides whether a URL may be fetched and returns the addresses its host
resolves to; `safe_request(...)` fetches it, connecting to exactly those addresses (the name
is resolved once — no second DNS lookup that a rebinding attacker could answer differently),
with TLS SNI and certificate verification for the hostname, every redirect hop re-checked,
and hard caps on size and total time.

What is refused:
- schemes other than https (http too when `settings.AUDOME_ALLOW_PRIVATE_URLS` is on),
  credentials in the URL, odd characters;
- IPv4 written any way other than plain dotted decimal (`2130706433`, `0x7f.1`, `0177.0.0.1`,
  `127.1` …): URL parsers and `inet_aton` read them as addresses, we don't guess;
- a host with ANY resolved address that is loopback, private, link-local, multicast,
  reserved, unspecified, CGNAT (100.64/10), unique-local (fc00::/7), or an IPv6 form that
  embeds such an IPv4 (IPv4-mapped, IPv4-compatible, 6to4 2002::/16, NAT64 64:ff9b::/96);
- cloud metadata (169.254.169.254, fd00:ec2::254, 100.100.100.200 and every spelling or
  embedding of them) whatever the settings.

Settings: `AUDOME_FETCH_ALLOW_CIDRS` ranges count as public (metadata never);
`AUDOME_ALLOW_PRIVATE_URLS` allows http and private/loopback addresses (metadata never);
`AUDOME_FETCH_CA_FILE` (optional) adds a CA bundle to the system's trust store.

The package: `errors` (UnsafeUrl, HostNotResolved, FetchError), `addresses` (which IPs are
internal), `urls` (parsing, the odd-spelling rules, resolving once: check_url), `fetch` (the
pinned connection: safe_request)."""
from core.netguard.addresses import address_refusal, name_suggests_internal
from core.netguard.errors import FetchError, HostNotResolved, UnsafeUrl
from core.netguard.fetch import SafeResponse, safe_request
from core.netguard.urls import check_url

__all__ = ["UnsafeUrl", "HostNotResolved", "FetchError", "SafeResponse", "check_url", "safe_request",
           "address_refusal", "name_suggests_internal"]
