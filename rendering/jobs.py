"""The one job builder: what the engine is asked to do, for generate (the worker rebuilds the
job from the generation row), signed URLs (they are generations too) and previews (from the
job the web process queued in Redis).

Every render of an account runs in that account's browser context (`isolation_key`) with the
account's uploaded fonts — only when the document names a family that isn't bundled, so a
template drawn in bundled fonts costs no font query. `RenderOptions` arrive validated
(rendering.validation) and go to the engine as they are; a generation row stores them in its
`options` JSON (`options_row`), the worker reads them back (`options_of`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from projects.fonts import is_bundled
from projects.selectors import fonts_for
from rendering.engine import FontFace, RenderJob, RenderOptions
from rendering.engine.types import DEFAULT_FIT

if TYPE_CHECKING:
    from rendering.models import Generation


def options_row(options: RenderOptions, *, html: str | None) -> dict[str, Any]:
    """The options as a generation row keeps them (and the API shows them). `design` is the
    template's size when the output has another (then `fit` says how it was placed)."""
    row: dict[str, Any] = {"width": options.width, "height": options.height, "format": options.format,
                           "quality": options.quality, "backgroundColor": options.background, "html": html}
    if options.design is not None:
        row.update(design=list(options.design), fit=options.fit)
    return row


def options_of(row: dict[str, Any], **overrides: Any) -> RenderOptions:
    """The RenderOptions a row keeps (a row written before `design` existed: drawn at its size);
    `overrides` replace fields (a video's frames are captured in their own format)."""
    design = row.get("design")
    values: dict[str, Any] = {
        "width": row["width"], "height": row["height"], "format": row["format"], "quality": row["quality"],
        "background": row.get("backgroundColor"), "design": tuple(design) if design else None,
        "fit": row.get("fit") or DEFAULT_FIT,
    }
    return RenderOptions(**{**values, **overrides})


def render_job(*, account_id: Any, options: RenderOptions, document: dict | None = None, data: dict | None = None,
               html: str | None = None) -> RenderJob:
    """The engine job for one render of `account_id`: a template `document` with `data`, or inline `html`."""
    fonts = _account_fonts(account_id) if _needs_account_fonts(document) else []
    return RenderJob(options, document=document, data=data or {}, html=html, fonts=fonts,
                     isolation_key=str(account_id))


def generation_job(generation: Generation) -> RenderJob:
    """The engine job of a generation row, as it was accepted."""
    return render_job(account_id=generation.account_id, options=options_of(generation.options),
                      document=generation.document, data=generation.data, html=generation.options.get("html"))


def _account_fonts(account_id: Any) -> list[FontFace]:
    return [FontFace(family=font.family_name, storage_name=font.file.name, weight=font.weight or 400,
                     style=font.style or "normal")
            for font in fonts_for(account=account_id) if font.family_name and font.file.name]


def _needs_account_fonts(document: dict | None) -> bool:
    """Inline html may use any of the account's fonts; a document only the families it names,
    and a document that names bundled families only needs none (and no query for them)."""
    if document is None:
        return True
    for element in document.get("elements") or []:
        style = element.get("style") if isinstance(element, dict) else None
        family = style.get("fontFamily") if isinstance(style, dict) else None
        if isinstance(family, str) and family.strip() and not is_bundled(family):
            return True
    return False
