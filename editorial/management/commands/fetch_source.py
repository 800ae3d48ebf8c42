from django.core.management.base import BaseCommand, CommandError

from editorial.sources.extract import read
from editorial.sources.fetch import FetchError, fetch

# How much of the main text is printed: enough to see that it is the article.
TEXT_SHOWN_CHARS = 300


class Command(BaseCommand):
    help = (
        "Fetch a source's page as the admin's \"Fill from the page\" does, and print what it says about itself "
        "(publisher, title, published date, language) and the start of its main text. Writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("url", help="The page's address (http:// or https://).")

    def handle(self, *args, url: str, **options):
        try:
            page = fetch(url)
            found = read(page)
        except FetchError as error:
            raise CommandError(str(error)) from None
        lines = [
            ("URL", page.final_url + (f"  (asked for {page.url})" if page.final_url != page.url else "")),
            ("HTTP status", str(page.status)),
            ("Publisher", found.publisher),
            ("Title", found.title),
            ("Published", found.published_on.isoformat() if found.published_on else ""),
            ("Language", found.language),
            ("Main text", f"{len(found.text):,} characters, SHA-256 {found.text_sha256}"),
        ]
        for label, value in lines:
            self.stdout.write(f"{label + ':':<13} {value or '(not found)'}")
        if found.text:
            shown = found.text[:TEXT_SHOWN_CHARS] + ("…" if len(found.text) > TEXT_SHOWN_CHARS else "")
            self.stdout.write("\n" + shown)
