"""The code blocks of a docs page, for the tests that run them against a live server.

A block runs unless an HTML comment right above it says `<!-- not run by the docs test: why -->`;
`<!-- needs: batches -->` runs it only where the batch API exists. Before running, the docs'
placeholders become the live values: https://audome.io → the server, YOUR_API_TOKEN → a token,
YOUR_PROJECT_ID → a template of that account."""
import re
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parents[3] / "docs" / "content"
_FENCE = re.compile(r"(?:<!--\s*(?P<comment>.*?)\s*-->\s*\n)?```(?P<lang>\w+)[^\n]*\n(?P<code>.*?)\n```", re.S)


@dataclass
class Block:
    page: str
    index: int
    lang: str
    code: str
    comment: str

    @property
    def skip_reason(self) -> str | None:
        return self.comment if self.comment.startswith("not run") else None

    @property
    def needs(self) -> str | None:
        return self.comment.partition("needs:")[2].strip() or None

    def __str__(self) -> str:
        return f"{self.page} block {self.index} ({self.lang})"


def blocks(page: str, langs: tuple[str, ...]) -> list[Block]:
    text = (DOCS / page).read_text()
    found = [Block(page, i, m["lang"], m["code"], m["comment"] or "") for i, m in enumerate(_FENCE.finditer(text))]
    return [b for b in found if b.lang in langs]


def substitute(code: str, *, base_url: str, token: str, project_id: str) -> str:
    return (code.replace("https://audome.io", base_url).replace("YOUR_API_TOKEN", token)
            .replace("YOUR_PROJECT_ID", project_id))
