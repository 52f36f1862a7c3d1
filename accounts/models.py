"""Accounts (a user is an account), API tokens and embed session tokens.
Only a SHA-256 of each token is stored; the plain token exists once, in the create response."""
import secrets
import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.auth import AccountWide
from core.ids import new_id
from core.models import BaseModel


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An email is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


def new_url_signing_secret() -> str:
    return "urls_" + secrets.token_urlsafe(32)


class User(AbstractBaseUser, PermissionsMixin):
    """An Audome account. Email is the login."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    url_signing_secret = models.CharField(max_length=80, default=new_url_signing_secret)

    objects = UserManager()
    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "account"

    def __str__(self):
        return self.email


class TokenScope(models.TextChoices):
    READ_ONLY = "read-only", "Read only"
    RENDER_ONLY = "render-only", "Render only"
    FULL_ACCESS = "full-access", "Full access"


def new_token_id() -> str:
    return new_id("tok")


class ApiToken(AccountWide, BaseModel):
    id = models.CharField(primary_key=True, max_length=40, default=new_token_id, editable=False)
    account = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=20, choices=TokenScope.choices, default=TokenScope.FULL_ACCESS)
    prefix = models.CharField(max_length=8)
    token_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    usage_count = models.PositiveBigIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)

    kind = "api"

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["account", "revoked_at"])]

    def __str__(self):
        return f"{self.name} (aud_{self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def new_embed_id() -> str:
    return new_id("es")


class EmbedSession(BaseModel):
    """A short-lived token for the embedded Studio, restricted to a category or a project."""

    id = models.CharField(primary_key=True, max_length=40, default=new_embed_id, editable=False)
    account = models.ForeignKey(User, on_delete=models.CASCADE, related_name="embed_sessions")
    created_by = models.ForeignKey(ApiToken, null=True, blank=True, on_delete=models.SET_NULL)
    token_hash = models.CharField(max_length=64, unique=True)
    category_id = models.CharField(max_length=64, null=True, blank=True)
    project_id = models.CharField(max_length=64, null=True, blank=True)
    read_only = models.BooleanField(default=False)
    allowed_origins = models.JSONField(default=list, blank=True)
    expires_at = models.DateTimeField()

    kind = "embed"

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(category_id__isnull=True) | Q(project_id__isnull=True), name="embed_one_restriction"
            )
        ]

    @property
    def scope(self) -> str:
        return "read-only" if self.read_only else "render-only"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def allows_project(self, project) -> bool:
        if self.project_id:
            return str(project.pk) == self.project_id
        if self.category_id:
            return str(getattr(project, "category_id", None) or "") == self.category_id
        return True

    def allows_category(self, category_id) -> bool:
        if self.project_id:
            return False
        if self.category_id:
            return str(category_id or "") == self.category_id
        return True

    def restrict_projects(self, queryset):
        if self.project_id:
            return queryset.filter(pk=self.project_id)
        if self.category_id:
            return queryset.filter(category_id=self.category_id)
        return queryset


def new_device_id() -> str:
    return new_id("dev")


class DeviceAuthorizationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    CONSUMED = "consumed", "Consumed"


class DeviceAuthorization(BaseModel):
    """A device-code login (RFC 8628) started by a CLI or desktop app (accounts/device.py).
    Both codes are stored only as SHA-256 digests; the token is minted when the app collects it."""

    id = models.CharField(primary_key=True, max_length=40, default=new_device_id, editable=False)
    device_code_hash = models.CharField(max_length=64, unique=True)
    user_code_hash = models.CharField(max_length=64, unique=True)
    app_name = models.CharField(max_length=100)
    app_type = models.CharField(max_length=40, blank=True)
    app_version = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=DeviceAuthorizationStatus.choices,
                              default=DeviceAuthorizationStatus.PENDING)
    account = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="device_authorizations")
    scope = models.CharField(max_length=20, choices=TokenScope.choices, blank=True)
    token = models.ForeignKey(ApiToken, null=True, blank=True, on_delete=models.SET_NULL)
    interval = models.PositiveSmallIntegerField(default=5)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    requested_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.app_name} ({self.status})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
