"""Templates and what they use: Category, Project (canvas + document), Asset (uploaded
images) and Font (uploaded font files), each owned by one account."""
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import BaseModel

MAX_CANVAS = 4096
ASSET_MIMES = ("image/png", "image/jpeg", "image/webp", "image/gif", "image/svg+xml")
FONT_FORMATS = ("ttf", "otf", "woff", "woff2")


def _generated_name(prefix: str, ext: str) -> str:
    """Stored files never keep the uploader's name: `<prefix>/<aa>/<32 random hex>.<ext>`."""
    token = secrets.token_hex(16)
    return f"{prefix}/{token[:2]}/{token}.{ext}"


def asset_upload_to(instance, filename: str) -> str:
    return _generated_name("assets", filename.rsplit(".", 1)[-1].lower())


def font_upload_to(instance, filename: str) -> str:
    return _generated_name("fonts", filename.rsplit(".", 1)[-1].lower())


class Category(BaseModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name", "created_at"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="category_name_unique_per_account"),
            models.CheckConstraint(condition=~Q(name=""), name="category_name_not_empty"),
        ]

    def __str__(self):
        return self.name


class Project(BaseModel):
    """A template: a canvas width × height and a document (contract §3, version 1)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="projects")
    document = models.JSONField(default=dict)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["account", "-updated_at"], name="project_account_updated"),
            models.Index(fields=["account", "category"], name="project_account_category"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(width__gte=1, width__lte=MAX_CANVAS), name="project_width_range"),
            models.CheckConstraint(condition=Q(height__gte=1, height__lte=MAX_CANVAS), name="project_height_range"),
            models.CheckConstraint(condition=~Q(name=""), name="project_name_not_empty"),
        ]

    def __str__(self):
        return self.name


class Asset(BaseModel):
    """An uploaded image, stored under a generated name after its bytes were checked."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assets")
    file = models.FileField(upload_to=asset_upload_to, max_length=255, unique=True)
    original_name = models.CharField(max_length=255, blank=True)
    mime = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "-created_at"], name="asset_account_created")]
        constraints = [
            models.CheckConstraint(condition=Q(mime__in=ASSET_MIMES), name="asset_mime_allowed"),
            models.CheckConstraint(condition=Q(width__gte=1, height__gte=1), name="asset_size_positive"),
            models.CheckConstraint(condition=Q(bytes__gte=1), name="asset_bytes_positive"),
        ]

    def __str__(self):
        return self.original_name or self.file.name


class FontStyle(models.TextChoices):
    NORMAL = "normal", "Normal"
    ITALIC = "italic", "Italic"


class Font(BaseModel):
    """An uploaded font file, parsed with fontTools; loaded only through @font-face."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fonts")
    family_name = models.CharField(max_length=100)
    weight = models.PositiveSmallIntegerField(default=400)
    style = models.CharField(max_length=10, choices=FontStyle.choices, default=FontStyle.NORMAL)
    file = models.FileField(upload_to=font_upload_to, max_length=255, unique=True)
    format = models.CharField(max_length=8)
    original_name = models.CharField(max_length=255, blank=True)
    bytes = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["family_name", "weight", "style", "created_at"]
        indexes = [models.Index(fields=["account", "family_name"], name="font_account_family")]
        constraints = [
            models.CheckConstraint(condition=Q(format__in=FONT_FORMATS), name="font_format_allowed"),
            models.CheckConstraint(condition=Q(weight__gte=1, weight__lte=1000), name="font_weight_range"),
            models.CheckConstraint(condition=Q(style__in=FontStyle.values), name="font_style_allowed"),
            models.CheckConstraint(condition=~Q(family_name=""), name="font_family_not_empty"),
        ]

    def __str__(self):
        return f"{self.family_name} {self.weight} {self.style}"
