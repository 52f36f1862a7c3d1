"""Settings shared by every environment. Everything that varies comes from the environment;
`.env.example` lists each variable. Each app has its own section below: edit only yours."""
from pathlib import Path
from typing import Any

import dj_database_url

from config.settings.env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env("AUDOME_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env("SECRET_KEY", "dev-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
PORT = env_int("PORT", 8000)
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # /api/docs: Redoc from our own static files, no CDN
    "channels",
    "core",
    "accounts",
    "billing",
    "webhooks",
    "projects",
    "rendering",
    "batches",
    "embed",
    "dashboard",
    "docs",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.FramingPolicyMiddleware",
    "core.middleware.ApiRequestGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.RateLimitHeadersMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.ui",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'audome.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if env_bool("DB_POOL", False) and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The ASGI web process opens a connection per request (persistent connections leak under ASGI);
    # a psycopg pool saves that 4–5 ms. Web process only: Celery workers keep their own connections.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2, "max_size": env_int("DB_POOL_MAX", 20),
        "timeout": env_int("DB_POOL_TIMEOUT", 3),  # seconds a request waits for a connection, then 503
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that doesn't answer fails fast (503 SERVICE_UNAVAILABLE, /readyz names it) instead
    # of holding requests for psycopg's default 130 s; runaway queries are cut at the statement timeout.
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options.setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 3))  # libpq's minimum is 2
    if env_int("DB_STATEMENT_TIMEOUT", 30):
        _db_options.setdefault("options", f"-c statement_timeout={env_int('DB_STATEMENT_TIMEOUT', 30) * 1000}")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, workers and beat share one file: wait for locks instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 30, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "audome",
    }
}
CHANNEL_LAYERS: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # channels_redis blocks on BZPOPMIN for 5 s while redis-py reads with a 5 s socket timeout by
        # default, which killed idle consumers ("Timeout reading from …"): give reads headroom.
        "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30}], "prefix": "audome:ch"},
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/render"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ar", "العربية")]
LOCALE_PATHS: list = []  # app locale dirs are found by Django; sub-packages add theirs in their section
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static" / "dist"] if (BASE_DIR / "static" / "dist").exists() else []
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
AUDOME_STORAGE = env("AUDOME_STORAGE", "local")
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if AUDOME_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME", "audome"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", None),
            "region_name": env("AWS_S3_REGION_NAME", None),
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", None),
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", False),
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Audome <no-reply@audome.local>")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Which credential a Bearer token names (core.auth asks it; core imports no app).
AUDOME_CREDENTIAL_LOOKUP = "accounts.services.credential_authenticate"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["core.auth.BearerOrSessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["core.ratelimit.AccountRateThrottle"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Audome API",
    "DESCRIPTION": "Programmatic image rendering: templates, renders, previews, webhooks, embed.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api",
    "APPEND_COMPONENTS": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}
    },
    "SECURITY": [{"bearerAuth": []}],
    "REDOC_DIST": "SIDECAR",  # not a CDN: /api/docs must work without internet access
    # One name per choice set that several serializers share (otherwise drf-spectacular invents
    # names like Format680Enum and warns, which fails `check --deploy --fail-level WARNING`).
    "ENUM_NAME_OVERRIDES": {
        "ImageFormatEnum": ["png", "jpeg", "webp"],
        "OutputFormatEnum": ["png", "jpeg", "webp", "mp4", "webm", "gif"],  # images and videos (rendering/video)
        "FontFormatEnum": "projects.models.FONT_FORMATS",
        "GenerationStatusEnum": "rendering.models.GenerationStatus.values",
    },
}

# --- core: API ground rules (contract §1, §4 limits) ---
API_MAX_JSON_BYTES = env_int("API_MAX_JSON_BYTES", 1024 * 1024)
API_MAX_UPLOAD_BYTES = env_int("API_MAX_UPLOAD_BYTES", 25 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 120)
# Paths under /api/ that accept multipart/form-data (uploads).
API_MULTIPART_PATHS = ["/api/render/assets", "/api/render/fonts"]
# security.W002 asks for Django's XFrameOptionsMiddleware. core.middleware.FramingPolicyMiddleware
# does its job (X-Frame-Options: DENY and CSP frame-ancestors 'none' on every response) except on the
# embedded Studio, which must be framed by the embed session's own origins — the one thing
# XFrameOptionsMiddleware can't express. core/tests/test_deploy_check.py checks both headers.
SILENCED_SYSTEM_CHECKS = ["security.W002"]
AUDOME_ALLOW_PRIVATE_URLS = env_bool("AUDOME_ALLOW_PRIVATE_URLS", False)
AUDOME_FETCH_ALLOW_CIDRS = env_list("AUDOME_FETCH_ALLOW_CIDRS", [])

# --- celery ---
CELERY_BROKER_URL = REDIS_URL
# Results are kept only where a chord needs them (a video's chunk tasks, rendering/video): every
# other task ignores its result.
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_TASK_ROUTES: dict = {}
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_TASK_ALWAYS_EAGER = False
# Celery's Django fix-up closes DB connections around every task unless this is set; config/celery.py
# keeps them for WORKER_DB_CONN_MAX_AGE instead and drops broken ones after each task.
CELERY_DB_REUSE_MAX = 1_000_000

# --- accounts ---
MAX_ACTIVE_TOKENS = env_int("MAX_ACTIVE_TOKENS", 10)
FREE_PLAN_STARTING_CREDITS = env_int("FREE_PLAN_STARTING_CREDITS", 50)

# --- billing ---
# Stripe: with no STRIPE_SECRET_KEY the billing page says payments are not configured and the
# checkout/portal APIs answer 503 PAYMENTS_NOT_CONFIGURED; staff can still grant credits in the admin.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", "")  # whsec_… of the endpoint /billing/stripe/webhook
STRIPE_WEBHOOK_TOLERANCE = env_int("STRIPE_WEBHOOK_TOLERANCE", 300)  # seconds a signature stays valid
STRIPE_API_BASE = env("STRIPE_API_BASE", "https://api.stripe.com")  # a stand-in's address in tests only
STRIPE_API_TIMEOUT = env_int("STRIPE_API_TIMEOUT", 20)
BILLING_CURRENCY = env("BILLING_CURRENCY", "usd")
# Plans: an account without a paid subscription is on "free". Credits are the monthly allowance;
# a price id from the environment is used when set, otherwise Checkout gets the price inline.
BILLING_PLANS = [
    {"code": "free", "name": "Free", "monthly_credits": FREE_PLAN_STARTING_CREDITS, "price_cents": 0,
     "stripe_price_id": "", "limits": {"rendersInFlight": 2, "webhooks": 1}},
    {"code": "starter", "name": "Starter", "monthly_credits": env_int("BILLING_STARTER_CREDITS", 1000),
     "price_cents": env_int("BILLING_STARTER_PRICE_CENTS", 1900), "stripe_price_id": env("STRIPE_PRICE_STARTER", ""),
     "limits": {"rendersInFlight": 5, "webhooks": 3}},
    {"code": "pro", "name": "Pro", "monthly_credits": env_int("BILLING_PRO_CREDITS", 10000),
     "price_cents": env_int("BILLING_PRO_PRICE_CENTS", 9900), "stripe_price_id": env("STRIPE_PRICE_PRO", ""),
     "limits": {"rendersInFlight": 10, "webhooks": 5}},
]
# Credit packs: one-off purchases; their credits never expire.
BILLING_PACKS = [
    {"code": "pack-500", "name": "500 credits", "credits": 500, "price_cents": 900,
     "stripe_price_id": env("STRIPE_PRICE_PACK_500", "")},
    {"code": "pack-2500", "name": "2,500 credits", "credits": 2500, "price_cents": 3900,
     "stripe_price_id": env("STRIPE_PRICE_PACK_2500", "")},
    {"code": "pack-10000", "name": "10,000 credits", "credits": 10000, "price_cents": 12900,
     "stripe_price_id": env("STRIPE_PRICE_PACK_10000", "")},
]
# Unused monthly allowance expires when the next cycle's allowance arrives (packs never expire);
# set to carry it over instead.
BILLING_ALLOWANCE_ROLLOVER = env_bool("BILLING_ALLOWANCE_ROLLOVER", False)
BILLING_ALLOWANCE_INTERVAL = env_int("BILLING_ALLOWANCE_INTERVAL", 3600)  # beat: grant due free-plan allowances
BILLING_STRIPE_SWEEP_INTERVAL = env_int("BILLING_STRIPE_SWEEP_INTERVAL", 300)  # beat: re-queue unapplied events
CELERY_TASK_ROUTES["billing.*"] = {"queue": "default"}
CELERY_BEAT_SCHEDULE["billing-allowances-grant"] = {
    "task": "billing.allowances_grant", "schedule": float(BILLING_ALLOWANCE_INTERVAL), "options": {"expires": 600},
}
CELERY_BEAT_SCHEDULE["billing-stripe-events-sweep"] = {
    "task": "billing.stripe_events_sweep", "schedule": float(BILLING_STRIPE_SWEEP_INTERVAL), "options": {"expires": 120},
}

# --- projects ---
# Uploaded images: our own caps, well below Pillow's bomb threshold.
ASSET_MAX_PIXELS = env_int("ASSET_MAX_PIXELS", 50_000_000)
ASSET_MAX_FRAMES = env_int("ASSET_MAX_FRAMES", 300)
ASSET_MAX_ANIMATION_PIXELS = env_int("ASSET_MAX_ANIMATION_PIXELS", 400_000_000)

# --- rendering: engine (Chromium pool, renderer page, remote images) ---
CHROMIUM_PATH = env("CHROMIUM_PATH", "/usr/bin/chromium")
RENDER_CONTEXTS = env_int("RENDER_CONTEXTS", 10)  # warm browser contexts (one per account) per worker (#17: 4 → 10)
RENDER_PAGE_CANVASES = env_int("RENDER_PAGE_CANVASES", 4)  # templates kept built per account's render page
RENDER_FRAMES_MB = env_int("RENDER_FRAMES_MB", 64)  # last PNGs kept for band captures, all accounts together
RENDER_RECYCLE_AFTER = env_int("RENDER_RECYCLE_AFTER", 1000)  # restart Chromium after this many renders
RENDER_MAX_RSS_MB = env_int("RENDER_MAX_RSS_MB", 1500)  # …or when its processes grow past this
RENDER_RSS_CHECK_SECONDS = env_int("RENDER_RSS_CHECK_SECONDS", 5)  # memory read while idle, at most this often
RENDER_RSS_CHECK_RENDERS = env_int("RENDER_RSS_CHECK_RENDERS", 200)  # …and under non-stop load every N renders
RENDER_IMAGE_CACHE_SECONDS = env_int("RENDER_IMAGE_CACHE_SECONDS", 300)  # fetched images, by URL
RENDER_IMAGE_CACHE_MB = env_int("RENDER_IMAGE_CACHE_MB", 256)
RENDER_MAX_IMAGE_PIXELS = env_int("RENDER_MAX_IMAGE_PIXELS", 40_000_000)
RENDER_MAX_IMAGE_FRAMES = env_int("RENDER_MAX_IMAGE_FRAMES", 1000)

# --- rendering: generate (generations, Celery render queue, storage) ---
RENDER_SYNC_TIMEOUT = env_int("RENDER_SYNC_TIMEOUT", 30)
PREVIEW_MAX_CONCURRENCY = env_int("PREVIEW_MAX_CONCURRENCY", 1)
MAX_RENDERS_IN_FLIGHT = env_int("MAX_RENDERS_IN_FLIGHT", 10)
MAX_CANVAS = env_int("MAX_CANVAS", 4096)
MAX_REMOTE_IMAGE_BYTES = env_int("MAX_REMOTE_IMAGE_BYTES", 25 * 1024 * 1024)
RENDER_QUEUE = env("RENDER_QUEUE", "render")
RENDER_TIMEOUT = env_int("RENDER_TIMEOUT", 30)  # seconds per engine attempt
RENDER_JOB_TIMEOUT = env_int("RENDER_JOB_TIMEOUT", 90)  # processing longer than this → the sweeper steps in
RENDER_PENDING_TIMEOUT = env_int("RENDER_PENDING_TIMEOUT", 120)  # pending longer than this → re-queued
RENDER_MAX_ATTEMPTS = env_int("RENDER_MAX_ATTEMPTS", 3)  # deliveries that started rendering, then failed
RENDER_MAX_REQUEUES = env_int("RENDER_MAX_REQUEUES", 5)
RENDER_IN_FLIGHT_RETRY_AFTER = env_int("RENDER_IN_FLIGHT_RETRY_AFTER", 2)
RENDER_SWEEP_INTERVAL = env_int("RENDER_SWEEP_INTERVAL", 15)
IDEMPOTENCY_TTL = 24 * 3600
# Celery worker processes keep their DB connection this many seconds between tasks (0: one per task).
WORKER_DB_CONN_MAX_AGE = env_int("WORKER_DB_CONN_MAX_AGE", 600)
CELERY_TASK_ROUTES["rendering.render_generation"] = {"queue": RENDER_QUEUE}

# --- rendering: video (rendering/video) ---
FFMPEG_PATH = env("FFMPEG_PATH", "/usr/bin/ffmpeg")
FFPROBE_PATH = env("FFPROBE_PATH", "/usr/bin/ffprobe")
VIDEO_MAX_DURATION_MS = env_int("VIDEO_MAX_DURATION_MS", 60_000)
VIDEO_MAX_SIZE = env_int("VIDEO_MAX_SIZE", 1920)  # px, each way
VIDEO_CREDITS_PER_SECOND = env_int("VIDEO_CREDITS_PER_SECOND", 1)  # per started second of video
VIDEO_CHUNK_FRAMES = env_int("VIDEO_CHUNK_FRAMES", 150)  # frames per chunk task (5 s at 30 fps)
VIDEO_X264_PRESET = env("VIDEO_X264_PRESET", "veryfast")
VIDEO_ENCODER_THREADS = env_int("VIDEO_ENCODER_THREADS", 2)
VIDEO_ENCODER_STALL_SECONDS = env_int("VIDEO_ENCODER_STALL_SECONDS", 30)  # ffmpeg taking no frame this long is killed
VIDEO_FINISH_TIMEOUT = env_int("VIDEO_FINISH_TIMEOUT", 300)  # seconds for a concat or a GIF's palette passes
VIDEO_FRAME_TIMEOUT = env_int("VIDEO_FRAME_TIMEOUT", 20)  # seconds for one frame's seek + capture
CELERY_TASK_ROUTES["rendering.video.*"] = {"queue": RENDER_QUEUE}
CELERY_BEAT_SCHEDULE["rendering-generations-sweep"] = {
    "task": "rendering.generations_sweep", "schedule": float(RENDER_SWEEP_INTERVAL), "options": {"expires": 60},
}

# --- rendering: preview and signed render URLs ---
# Free previews (POST /api/render/preview) run on their own Celery queue with
# PREVIEW_MAX_CONCURRENCY slots (set above; the preview worker is started with -c that value).
PREVIEW_QUEUE = env("PREVIEW_QUEUE", "preview")
PREVIEW_QUALITY = 70  # WebP quality of previews (the docs promise q70)
PREVIEW_CACHE_TTL = env_int("PREVIEW_CACHE_TTL", 3600)  # seconds an entry (and its file) lives
PREVIEW_CACHE_MAX_ENTRIES = env_int("PREVIEW_CACHE_MAX_ENTRIES", 1000)  # LRU cap, all accounts together
PREVIEW_RATE_PER_MINUTE = env_int("PREVIEW_RATE_PER_MINUTE", 30)  # per account, token bucket
PREVIEW_RATE_PER_HOUR = env_int("PREVIEW_RATE_PER_HOUR", 200)  # per account, token bucket
PREVIEW_QUEUE_TIMEOUT = env_int("PREVIEW_QUEUE_TIMEOUT", 30)  # seconds to wait for a slot → 503 preview_busy
PREVIEW_RENDER_TIMEOUT = env_int("PREVIEW_RENDER_TIMEOUT", 30)  # seconds for the render once it has a slot
PREVIEW_CLEANUP_INTERVAL = env_int("PREVIEW_CLEANUP_INTERVAL", 60)  # beat: delete expired/evicted preview files
# The preview worker renices itself and its Chromium to this (0 = off): paid renders win the CPU.
PREVIEW_WORKER_NICE = env_int("PREVIEW_WORKER_NICE", 10)
# A preview waits up to this long (ms) for in-flight paid renders to finish before it starts.
PREVIEW_YIELD_MAX_MS = env_int("PREVIEW_YIELD_MAX_MS", 750)
SIGNED_URL_CACHE_TTL = env_int("SIGNED_URL_CACHE_TTL", 30 * 86400)  # Redis index of signed-URL renders (DB is the fallback)
CELERY_TASK_ROUTES["rendering.preview.render"] = {"queue": PREVIEW_QUEUE}
CELERY_TASK_ROUTES["rendering.preview.cleanup"] = {"queue": "default"}
CELERY_BEAT_SCHEDULE["rendering-preview-cleanup"] = {
    "task": "rendering.preview.cleanup", "schedule": float(PREVIEW_CLEANUP_INTERVAL), "options": {"expires": 60},
}
LOCALE_PATHS = [*LOCALE_PATHS, BASE_DIR / "rendering" / "preview" / "locale"]

# --- batches (batch renders, issue #13) ---
BATCH_MAX_ROWS = env_int("BATCH_MAX_ROWS", 5000)  # images per batch (data rows × projects)
# Rows of an account's batches rendering at once (they count toward MAX_RENDERS_IN_FLIGHT too): the
# feeder tops this up as rows finish, so batches share the render queue fairly with everyone's renders.
BATCH_IN_FLIGHT_PER_ACCOUNT = env_int("BATCH_IN_FLIGHT_PER_ACCOUNT", 4)
# ...and while single renders are arriving (one was queued in the last BATCH_YIELD_SECONDS), only
# this many: the other renderers stay free for them (set it below the render workers' process count).
BATCH_IN_FLIGHT_SHARED = env_int("BATCH_IN_FLIGHT_SHARED", 1)
BATCH_YIELD_SECONDS = env_int("BATCH_YIELD_SECONDS", 3)
BATCH_SWEEP_INTERVAL = env_int("BATCH_SWEEP_INTERVAL", 5)  # beat: settle rows, feed, finish batches
BATCH_LIVE_INTERVAL_MS = env_int("BATCH_LIVE_INTERVAL_MS", 300)  # at most one batch.updated per batch this often
API_MULTIPART_PATHS = [*API_MULTIPART_PATHS, "/api/render/batches"]
CELERY_TASK_ROUTES["batches.*"] = {"queue": "default"}
CELERY_BEAT_SCHEDULE["batches-sweep"] = {
    "task": "batches.sweep", "schedule": float(BATCH_SWEEP_INTERVAL), "options": {"expires": 30},
}

# --- webhooks ---
WEBHOOK_MAX_PER_ACCOUNT = env_int("WEBHOOK_MAX_PER_ACCOUNT", 5)
WEBHOOK_TIMEOUT = float(env("WEBHOOK_TIMEOUT", "10"))  # seconds per POST, connect to last byte
# Seconds to wait after the 1st, 2nd, … failed attempt; when it runs out the delivery is failed.
WEBHOOK_RETRY_SCHEDULE = [float(x) for x in env("WEBHOOK_RETRY_SCHEDULE", "60,300,1800,7200,21600,86400").strip("[]() ").split(",") if x.strip()]
WEBHOOK_SECRET_OVERLAP = env_int("WEBHOOK_SECRET_OVERLAP", 24 * 3600)  # old secret keeps signing this long
WEBHOOK_LEASE_SECONDS = env_int("WEBHOOK_LEASE_SECONDS", 60)  # an attempt older than this was lost with its worker
WEBHOOK_SWEEP_INTERVAL = env_int("WEBHOOK_SWEEP_INTERVAL", 15)
WEBHOOK_REQUEUE_GRACE = env_int("WEBHOOK_REQUEUE_GRACE", 10)  # due this long and not picked up → re-queued
WEBHOOK_ETA_MAX = env_int("WEBHOOK_ETA_MAX", 600)  # retries sooner than this are queued with a countdown
WEBHOOK_QUEUE = env("WEBHOOK_QUEUE", "webhooks")
WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT = env_int("WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT", 1)  # attempts at once per destination (1 while failing)
WEBHOOK_BUSY_POSTPONE = env_int("WEBHOOK_BUSY_POSTPONE", 5)  # seconds an over-cap delivery waits (no attempt spent)
WEBHOOK_LOG_RETENTION_DAYS = env_int("WEBHOOK_LOG_RETENTION_DAYS", 30)  # finished deliveries kept in the log
# core.netguard (webhook destinations, remote images): an extra CA bundle to trust, e.g. a private
# deployment's internal CA (AUDOME_ALLOW_PRIVATE_URLS / AUDOME_FETCH_ALLOW_CIDRS are in core above).
AUDOME_FETCH_CA_FILE = env("AUDOME_FETCH_CA_FILE", None)
CELERY_TASK_ROUTES["webhooks.deliver"] = {"queue": WEBHOOK_QUEUE}
CELERY_TASK_ROUTES["webhooks.deliveries_sweep"] = {"queue": "default"}
CELERY_BEAT_SCHEDULE["webhooks-deliveries-sweep"] = {
    "task": "webhooks.deliveries_sweep", "schedule": float(WEBHOOK_SWEEP_INTERVAL), "options": {"expires": 60},
}

# --- embed ---
EMBED_SESSION_DEFAULT_TTL = env_int("EMBED_SESSION_DEFAULT_TTL", 900)
EMBED_SESSION_MAX_TTL = 86400
EMBED_MAX_ORIGINS = 20
# The embed demo host page (`python -m embed.demo_host`): its port and the Audome it talks to.
AUDOME_DEMO_HOST_PORT = env_int("AUDOME_DEMO_HOST_PORT", PORT + 1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "WARNING"}},
}
