"""Signed render URLs: GET /r/<projectId>.<png|jpg|webp>?<data>&w=&h=&scale=&fit=&q=&exp=&s=

w, h, scale and fit size the image as generate's width, height, scale and fit do
(rendering.validation.sized_options: the template is scaled, never cropped).

Checks, in order: the project exists (404), the signature with its account's URL-signing secret
(403), the expiry (410), the parameters (400). Then the content-addressed cache: the key is
sha256 of the project id, canonical data, the template version (`updated_at`), size, format and
quality. A hit serves the stored bytes and charges nothing. A miss renders exactly like generate
(`generation_create(source="signed-url")`, one credit, refunded on failure; the account's API rate
limit and in-flight limit apply) under a single-flight lock, so identical first requests arriving
together render and charge once. The index lives in Redis, with the generation row (its
`idempotency_key` is `su:<key>`) as the durable fallback."""
from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import new_url_signing_secret
from core.auth import SIGNED_URL
from core.errors import ApiError, Forbidden, Gone, ProjectNotFound, RateLimited, RenderFailed, ValidationFailed
from core.ratelimit import sliding_window_hit
from core.redis import get_redis
from projects.document import validate_data
from projects.models import Project
from rendering.engine import DEFAULT_QUALITY, Format, RenderOptions
from rendering.models import IN_FLIGHT, Generation, GenerationSource, GenerationStatus
from rendering.preview.cache import canonical, lock_acquire, lock_owner, lock_release
from rendering.services import generation_create
from rendering.signed import signing
from rendering.validation import sized_options
from rendering.waiting import generation_wait, release_db_connection

log = logging.getLogger(__name__)

EXTENSIONS: dict[str, Format] = {"png": "png", "jpg": "jpeg", "webp": "webp"}  # the URL's extension → the format
CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
RESERVED = {"w", "h", "scale", "fit", "q", "exp", "s"}
OPTION_PARAMS = {"width": "w", "height": "h", "quality": "q"}
INDEX = "audome:su:{}"
LOCK_PREFIX = "su:"  # the single-flight lock key is audome:pv:lock:su:<key>


class RenderPending(ApiError):
    status, code, message = 503, "RENDER_PENDING", "Still rendering; retry in a few seconds."


@dataclass
class SignedOutput:
    name: str  # storage name (renders/…, content-addressed)
    etag: str  # '"<sha256 of the bytes>"'
    content_type: str
    cached: bool
    key: str = ""


def _etag_of(name: str) -> str:
    return '"' + name.rsplit("/", 1)[-1].split(".")[0] + '"'


def _int_param(params: dict, name: str, default: int | None) -> int | None:
    """The whole number in `params[name]` (`default` when absent); its range is RenderOptions'."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed(f"{name} must be a whole number.", details={name: ["Must be a whole number."]}) from None


def _scale_param(params: dict) -> float | None:
    raw = params.get("scale")
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise ValidationFailed("scale must be a number greater than 0.",
                               details={"scale": ["Must be a number greater than 0."]})
    return value


def signed_request_check(*, path: str, project_id: str, ext: str,
                         query_string: str) -> tuple[Project, dict[str, str], RenderOptions]:
    """Verify a signed URL. Returns (project, data, options) or raises 404/403/410/400."""
    try:
        pk = uuid.UUID(project_id)
    except ValueError:
        raise ProjectNotFound()
    project = Project.objects.select_related("account").filter(pk=pk).first()
    if project is None:
        raise ProjectNotFound()
    pairs = signing.parse_query(query_string)
    given = [value for name, value in pairs if name == signing.SIGNATURE_PARAM]
    account = project.account
    if len(given) != 1 or not account.is_active or not signing.signature_valid(
        account.url_signing_secret, path, pairs, given[0]
    ):
        raise Forbidden("Invalid or missing signature.")
    params: dict[str, str] = {}
    for name, value in pairs:
        if name == signing.SIGNATURE_PARAM:
            continue
        if name in params:
            raise ValidationFailed(f"Parameter '{name}' appears more than once.", details={name: ["Repeated."]})
        params[name] = value
    if "exp" in params:
        try:
            expires = int(params["exp"])
        except ValueError:
            raise ValidationFailed("exp must be a Unix time in seconds.", details={"exp": ["Must be an integer."]})
        if time.time() >= expires:
            raise Gone("This signed URL has expired.")
    fmt = EXTENSIONS[ext]
    options = sized_options(
        canvas=(project.width, project.height), names=OPTION_PARAMS, format=fmt,
        width=_int_param(params, "w", None), height=_int_param(params, "h", None), scale=_scale_param(params),
        fit=params.get("fit") or None,
        quality=_int_param(params, "q", DEFAULT_QUALITY) if fmt != "png" else DEFAULT_QUALITY,
    )
    data = {name: value for name, value in params.items() if name not in RESERVED}
    validate_data(project.document, data)
    return project, data, options


def signed_key(*, project, data: dict, options: RenderOptions) -> str:
    material = "|".join([
        str(project.pk), canonical(data), project.updated_at.isoformat(),
        f"{options.width}x{options.height}", options.format, str(options.quality),
        # A scaled template: how it was placed (before scaling existed, w/h cropped, under keys without it).
        *([f"scaled-{options.fit}"] if options.design else []),
    ])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _lookup(key: str, account) -> SignedOutput | None:
    raw = get_redis().get(INDEX.format(key))
    if raw:
        found = json.loads(raw)
        return SignedOutput(found["name"], _etag_of(found["name"]), found["contentType"], cached=True, key=key)
    generation = (
        Generation.objects.filter(account=account, source="signed-url", idempotency_key=f"su:{key}",
                                  status=GenerationStatus.COMPLETED)
        .exclude(output="").order_by("-created_at").first()
    )
    if generation is None or not default_storage.exists(generation.output):
        return None
    content_type = CONTENT_TYPES[generation.options.get("format", "png")]
    _index(key, generation.output, content_type)
    return SignedOutput(generation.output, _etag_of(generation.output), content_type, cached=True, key=key)


def signed_forget(key: str) -> None:
    """Drop an index entry whose file is gone (its generation was deleted): the next request renders again."""
    get_redis().delete(INDEX.format(key))


def _index(key: str, name: str, content_type: str) -> None:
    get_redis().set(INDEX.format(key), json.dumps({"name": name, "contentType": content_type}),
                    ex=settings.SIGNED_URL_CACHE_TTL)


def signed_render(*, project, data: dict, options: RenderOptions) -> SignedOutput:
    """The output for a verified signed URL: from the cache, or rendered (and charged) once."""
    account = project.account
    key = signed_key(project=project, data=data, options=options)
    found = _lookup(key, account)
    if found is not None:
        return found
    lock = LOCK_PREFIX + key
    give_up = time.monotonic() + settings.RENDER_SYNC_TIMEOUT + 15
    while True:
        me = uuid.uuid4().hex
        if lock_acquire(lock, me, (settings.RENDER_SYNC_TIMEOUT + 30) * 1000):
            try:
                found = _lookup(key, account)
                if found is not None:
                    return found
                return _render(key=key, project=project, data=data, options=options)
            finally:
                lock_release(lock, me)
        # Someone renders the same URL right now: wait for them, then look again.
        release_db_connection()
        while lock_owner(lock) is not None and time.monotonic() < give_up:
            time.sleep(0.05)
        found = _lookup(key, account)
        if found is not None:
            return found
        if time.monotonic() >= give_up:
            raise RenderPending(headers={"Retry-After": "5"})


def _render(*, key: str, project, data: dict, options: RenderOptions) -> SignedOutput:
    account = project.account
    # A render of this URL still running from an earlier request (that answered 503): wait for it.
    generation = Generation.objects.filter(account=account, source=GenerationSource.SIGNED_URL,
                                           idempotency_key=f"su:{key}", status__in=IN_FLIGHT).first()
    if generation is None:
        state = sliding_window_hit(f"audome:rl:api:{account.pk}", limit=settings.API_RATE_LIMIT_PER_MINUTE,
                                   window_seconds=60)
        if not state.allowed:
            raise RateLimited(retry_after=state.retry_after)
        generation = generation_create(
            account=account, credential=SIGNED_URL, project=project, data=data,
            options=options, metadata={},
            idempotency_key=f"su:{key}",
            source=GenerationSource.SIGNED_URL,  # type: ignore[arg-type]  # a TextChoices str; no django-stubs
        )
    release_db_connection()  # the wait is on Redis; generation_wait reconnects to re-read the row
    generation = generation_wait(generation, settings.RENDER_SYNC_TIMEOUT)
    if generation.status == GenerationStatus.COMPLETED and generation.output:
        content_type = CONTENT_TYPES[generation.options.get("format", "png")]
        _index(key, generation.output, content_type)
        return SignedOutput(generation.output, _etag_of(generation.output), content_type, cached=False, key=key)
    if generation.status in (GenerationStatus.PENDING, GenerationStatus.PROCESSING):
        raise RenderPending(headers={"Retry-After": "5"})  # it finishes in the background; the next hit serves it
    raise RenderFailed(f"The render failed: {generation.error or 'renderer error'}")


def secret_roll(*, account) -> str:
    account.url_signing_secret = new_url_signing_secret()
    account.save(update_fields=["url_signing_secret"])
    return account.url_signing_secret


def expires_in(seconds: int) -> int:
    return int(timezone.now().timestamp()) + int(seconds)
