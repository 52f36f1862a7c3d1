"""The public docs: markdown files in docs/content/, one page each.
A file `api-render.md` is the page `api/render` (the `api-` prefix becomes a path segment)."""
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import markdown
from django.conf import settings

CONTENT_DIR = Path(__file__).resolve().parent / "content"

# Reading order of the navigation; pages not listed follow, by title.
ORDER = [
    "getting-started",
    "authentication",
    "templates",
    "api/projects",
    "api/render",
    "batch",
    "api/preview",
    "signed-urls",
    "embed",
    "webhooks",
    "billing",
    "errors",
]


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    summary: str
    markdown: str

    @property
    def html(self) -> str:
        return markdown.markdown(self.markdown, extensions=["fenced_code", "tables", "toc", "sane_lists"])


def _slug_of(path: Path) -> str:
    stem = path.stem
    return "api/" + stem[4:] if stem.startswith("api-") else stem


def _parse(path: Path) -> Page:
    text = path.read_text(encoding="utf-8")
    lines = text.strip().splitlines()
    title = lines[0].lstrip("# ").strip() if lines and lines[0].startswith("#") else _slug_of(path)
    summary = next((line.strip() for line in lines[1:] if line.strip() and not line.startswith(("#", "```", "|", "-"))), "")
    return Page(slug=_slug_of(path), title=title, summary=summary, markdown=text)


def _load() -> list[Page]:
    pages = [_parse(p) for p in sorted(CONTENT_DIR.glob("*.md"))]
    rank = {slug: i for i, slug in enumerate(ORDER)}
    return sorted(pages, key=lambda p: (rank.get(p.slug, len(ORDER)), p.title))


@lru_cache(maxsize=1)
def _load_cached() -> tuple[Page, ...]:
    return tuple(_load())


def all_pages() -> list[Page]:
    return _load() if settings.DEBUG else list(_load_cached())


def page_get(slug: str) -> Page | None:
    return next((p for p in all_pages() if p.slug == slug), None)
