"""The signed-URL tests share the preview tests' fixtures: a clean namespace in Redis (the
single-flight locks live under the preview prefix) and templates made through the API."""
from rendering.preview.tests.conftest import _clean_preview_redis, project  # noqa: F401  (fixtures)
