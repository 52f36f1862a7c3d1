"""The two ways a guarded fetch ends badly: refused (UnsafeUrl) or failed (FetchError)."""


class UnsafeUrl(Exception):
    """The URL may not be fetched; the message says why."""


class FetchError(Exception):
    """The fetch was allowed but failed: DNS, connection, TLS, timeout, too large…"""


class HostNotResolved(UnsafeUrl):
    """The host name does not resolve (yet). check_url raises it (an UnsafeUrl: nothing can be
    fetched); safe_request turns it into FetchError, a failure that may go away. A caller that
    only stores a URL for later (a webhook destination) may accept it: every fetch re-checks."""


