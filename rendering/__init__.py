"""Renders: generations (the render job state machine), the render queue, output storage.
The Chromium engine lives in `rendering.engine`, free previews in `rendering.preview`."""
