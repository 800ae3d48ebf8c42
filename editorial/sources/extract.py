"""What a fetched page says about itself: its title, publisher, publication date, language and main text.

trafilatura reads it (OpenGraph, JSON-LD such as a NewsArticle, meta tags, and htmldate for the date),
and keeps the main text without menus, comments or boilerplate. The page's declared language is its
<html lang> (else its og:locale): trafilatura only filters by language, it does not report it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import trafilatura
from lxml.html import HtmlElement

from editorial.models import sha256
from editorial.sources.fetch import FetchError, Page
from events.models import Source

# Control characters other than tab and newline never belong in kept text (PostgreSQL refuses NUL).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# A language tag's primary subtag: "lt" of "lt-LT" or of og:locale's "lt_LT".
PRIMARY_LANGUAGE = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*$")


@dataclass(frozen=True)
class Found:
    """What the page says, cut to what the Source's fields hold; empty strings (and None) where it says nothing."""

    title: str
    publisher: str
    published_on: datetime.date | None
    language: str
    text: str

    @property
    def text_sha256(self) -> str:
        return sha256(self.text)


def read(page: Page) -> Found:
    """The page's own description of itself and its main text; FetchError when it is not readable HTML."""
    content: str | bytes = page.content
    if page.charset:
        try:
            content = page.content.decode(page.charset)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declared charset: trafilatura guesses from the bytes
    tree = trafilatura.load_html(content)
    if tree is None:
        raise FetchError(f"{page.final_url} is not readable HTML.")
    document = trafilatura.bare_extraction(
        tree, url=page.final_url, with_metadata=True, include_comments=False, include_tables=True
    )
    # bare_extraction gives nothing when the page has too little main text: its metadata still counts.
    if document is None:
        document = trafilatura.extract_metadata(tree, default_url=page.final_url)
    return Found(
        title=fitted(document.title, "title"),
        publisher=fitted(document.sitename, "publisher"),
        published_on=iso_date(document.date),
        language=declared_language(tree),
        text=clean_text(getattr(document, "text", None) or ""),
    )


def fitted(value: str | None, field: str) -> str:
    """One line, cut to the Source field's length."""
    limit = Source._meta.get_field(field).max_length
    return " ".join(clean_text(value or "").split())[:limit]


def clean_text(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text).strip()


def iso_date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def declared_language(tree: HtmlElement) -> str:
    candidates = [tree.get("lang"), *tree.xpath("//meta[@property='og:locale']/@content")]
    for candidate in candidates:
        if candidate and (match := PRIMARY_LANGUAGE.match(candidate)):
            return match[1].lower()
    return ""
