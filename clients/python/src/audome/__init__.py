"""Audome: Python SDK for the Audome image-rendering API (sync `Audome`, async `AsyncAudome`),
the `audome` command-line tool, and webhook signature checks."""
__version__ = "0.1.0"

from audome.aio import AsyncAudome  # noqa: E402
from audome.client import Audome  # noqa: E402
from audome.errors import (  # noqa: E402
    APIConnectionError,
    APIError,
    AudomeError,
    AuthenticationError,
    ConflictError,
    DeviceLoginError,
    InsufficientCreditsError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    RenderCanceledError,
    RenderFailedError,
    ServerError,
    ValidationError,
    WaitTimeoutError,
    WebhookVerificationError,
)
from audome.results import AsyncPreview, AsyncRender, DeviceCode, Preview, Render  # noqa: E402
from audome.webhooks import construct_event, verify_signature  # noqa: E402

__all__ = [
    "Audome", "AsyncAudome", "Render", "AsyncRender", "Preview", "AsyncPreview", "DeviceCode",
    "verify_signature", "construct_event", "AudomeError", "APIError", "APIConnectionError", "AuthenticationError",
    "ConflictError", "DeviceLoginError", "InsufficientCreditsError", "NotFoundError", "PayloadTooLargeError",
    "PermissionDeniedError", "RateLimitError", "RenderCanceledError", "RenderFailedError", "ServerError",
    "ValidationError", "WaitTimeoutError", "WebhookVerificationError", "__version__",
]
