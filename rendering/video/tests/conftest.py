# Frame previews run on the preview queue: the preview tests' real preview worker (session).
from rendering.preview.tests.conftest import preview_worker  # noqa: F401
