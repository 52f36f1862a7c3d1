"""Stripe stand-ins for tests: events signed with Stripe's scheme (t=…,v1=HMAC-SHA256 of
"t.payload") so the real `stripe.Webhook.construct_event` verifies them, and a local HTTP
server answering Stripe API calls with recorded responses."""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

WEBHOOK_SECRET = "whsec_test_billing_secret"
_seq = itertools.count(1)


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    return f"t={timestamp},v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}"


def event(type_: str, obj: dict, *, created: int | None = None, event_id: str | None = None) -> dict:
    n = next(_seq)
    return {
        "id": event_id or f"evt_test_{int(time.time() * 1000)}_{n}",
        "object": "event", "api_version": "2024-06-20", "type": type_, "livemode": False,
        "created": created if created is not None else int(time.time()) + n, "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None}, "data": {"object": obj},
    }


def post_event(client, body: dict, *, secret: str = WEBHOOK_SECRET, signature: str | None = None):
    payload = json.dumps(body).encode()
    return client.post("/billing/stripe/webhook", data=payload, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=signature if signature is not None else sign(payload, secret))


def checkout_session(*, account, mode: str, customer: str, pack=None, plan=None, subscription=None,
                     session_id: str | None = None, payment_status: str = "paid", metadata: bool = True) -> dict:
    meta = {"account_id": str(account.pk)}
    if pack:
        meta.update(kind="pack", pack=pack.code, credits=str(pack.credits))
    if plan:
        meta.update(kind="plan", plan=plan.code)
    return {
        "id": session_id or f"cs_test_{next(_seq)}", "object": "checkout.session", "mode": mode,
        "client_reference_id": str(account.pk), "customer": customer, "subscription": subscription,
        "payment_status": payment_status, "status": "complete", "metadata": meta if metadata else {},
        "amount_total": (pack or plan).price_cents, "currency": "usd",
    }


def invoice(*, customer: str, subscription: str, price_id: str, period: tuple[int, int], invoice_id: str | None = None,
            metadata: dict | None = None) -> dict:
    return {
        "id": invoice_id or f"in_test_{next(_seq)}", "object": "invoice", "customer": customer,
        "subscription": subscription, "status": "paid", "billing_reason": "subscription_create",
        "subscription_details": {"metadata": metadata or {}},
        "lines": {"object": "list", "data": [{
            "id": f"il_test_{next(_seq)}", "object": "line_item",
            "price": {"id": price_id, "object": "price", "recurring": {"interval": "month"}},
            "period": {"start": period[0], "end": period[1]},
        }]},
    }


def subscription(*, customer: str, subscription_id: str, price_id: str, status: str = "active",
                 cancel_at_period_end: bool = False, period: tuple[int, int] | None = None) -> dict:
    period = period or (int(time.time()) - 60, int(time.time()) + 30 * 86400)
    return {
        "id": subscription_id, "object": "subscription", "customer": customer, "status": status,
        "cancel_at_period_end": cancel_at_period_end, "metadata": {},
        "current_period_start": period[0], "current_period_end": period[1],
        "items": {"object": "list", "data": [{"id": "si_test", "price": {"id": price_id, "object": "price"}}]},
    }


class RecordedStripe:
    """A local HTTP server standing in for api.stripe.com: it records each request (method,
    path, form-decoded params, headers) and answers the recorded JSON for its route."""

    def __init__(self):
        self.requests: list[dict] = []
        self.routes: dict[tuple[str, str], tuple[int, dict]] = {}
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                params = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(raw, keep_blank_values=True).items()}
                recorder.requests.append({"method": self.command, "path": self.path, "params": params,
                                          "headers": dict(self.headers)})
                status, body = recorder.routes.get((self.command, self.path.split("?")[0]),
                                                   (404, {"error": {"type": "invalid_request_error", "message": "No such route"}}))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Request-Id", "req_recorded")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def route(self, method: str, path: str, body: dict, status: int = 200):
        self.routes[(method, path)] = (status, body)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
