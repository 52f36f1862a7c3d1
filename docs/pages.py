"""The public docs: markdown files in docs/content/, one page each.
A file `api-render.md` is the page `api/render` (the `api-` prefix becomes a path segment)."""
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import markdown
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

CONTENT_DIR = Path(__file__).resolve().parent / "content"

# Reading order of the navigation; pages not listed follow, by title.
ORDER = [
    "getting-started",
    "authentication",
    "templates",
    "studio",
    "api/projects",
    "api/render",
    "video",
    "batch",
    "api/preview",
    "signed-urls",
    "embed",
    "webhooks",
    "cli",
    "python-sdk",
    "typescript-client",
    "billing",
    "errors",
]


# An index card's summary: whole sentences of the page's first paragraph, up to about this long.
SUMMARY_CHARS = 220


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    summary: str  # markdown: the first paragraph's first sentences, never cut mid-sentence
    markdown: str

    @property
    def html(self) -> str:
        return markdown.markdown(self.markdown, extensions=["fenced_code", "tables", "toc", "sane_lists"])

    @property
    def summary_html(self) -> SafeString:
        """The summary rendered (code spans, emphasis, links), without the paragraph around it."""
        html = markdown.markdown(self.summary).strip()
        return mark_safe(html.removeprefix("<p>").removesuffix("</p>"))


def _slug_of(path: Path) -> str:
    stem = path.stem
    return "api/" + stem[4:] if stem.startswith("api-") else stem


def _first_paragraph(lines: list[str]) -> str:
    paragraph: list[str] = []
    for line in lines:
        if not line.strip():
            if paragraph:
                break
            continue
        if not paragraph and line.lstrip().startswith(("#", "```", "|", "-", "*", ">", "<")):
            continue
        paragraph.append(line.strip())
    return " ".join(paragraph)


def summarize(paragraph: str, limit: int = SUMMARY_CHARS) -> str:
    """As many whole sentences as fit in `limit` characters (at least the first one)."""
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z`*\[(])", paragraph)
    summary = sentences[0]
    for sentence in sentences[1:]:
        if len(summary) + 1 + len(sentence) > limit:
            break
        summary += " " + sentence
    return summary


def _parse(path: Path) -> Page:
    text = path.read_text(encoding="utf-8")
    lines = text.strip().splitlines()
    title = lines[0].lstrip("# ").strip() if lines and lines[0].startswith("#") else _slug_of(path)
    summary = summarize(_first_paragraph(lines[1:]))
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
