"""{% vite_entry "static/studio/main.tsx" %}: the <script>/<link> tags of a built entry,
read from Vite's manifest (static/dist/manifest.json)."""
import json
from functools import lru_cache

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@lru_cache(maxsize=1)
def _manifest_cached() -> dict:
    return _manifest_read()


def _manifest_read() -> dict:
    path = settings.BASE_DIR / "static" / "dist" / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else {}


def manifest() -> dict:
    return _manifest_read() if settings.DEBUG else _manifest_cached()


def entry_files(entry: str) -> tuple[str, list[str]]:
    """The entry's JS file and every CSS file it pulls in (its own and its imports')."""
    data = manifest()
    if entry not in data:
        raise template.TemplateSyntaxError(f"{entry} is not in the Vite manifest; run `npm run build`.")
    css, seen = [], set()

    def walk(key):
        if key in seen:
            return
        seen.add(key)
        chunk = data[key]
        css.extend(chunk.get("css", []))
        for imported in chunk.get("imports", []):
            walk(imported)

    walk(entry)
    return data[entry]["file"], css


@register.simple_tag
def vite_entry(entry: str):
    js, css = entry_files(entry)
    links = format_html_join("", '<link rel="stylesheet" href="{}">', ((static(c),) for c in css))
    script = format_html('<script type="module" src="{}"></script>', static(js))
    return mark_safe(links + script)
