"""ingest URL_OR_PATH [...] and ingest --feed URL: fetch now, synchronously, a line per article
with its candidates (found here, not queued, so the line can count them).

Exit status 0 when the command itself worked, even if some articles failed (each failure is
printed and stored on its article).
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from articles.feeds import feed_check, feed_get_or_create
from pipeline.ingest import article_check, article_ingest_file, article_ingest_url

from ._report import report_line


class Command(BaseCommand):
    help = "Ingest articles from URLs or local HTML/text files, or the new entries of a feed."

    def add_arguments(self, parser):
        parser.add_argument("items", nargs="*", metavar="URL_OR_PATH")
        parser.add_argument("--feed", action="append", default=[], metavar="URL")

    def handle(self, *args, items, feed, **options):
        if not items and not feed:
            raise CommandError("Give at least one URL or file path, or --feed URL.")
        total = len(items)
        for index, item in enumerate(items, start=1):
            position = f"[{index}/{total}]"
            try:
                if item.startswith(("http://", "https://")):
                    report = article_ingest_url(url=item, candidates_now=True)
                elif Path(item).exists():
                    report = article_ingest_file(path=Path(item), candidates_now=True)
                else:
                    self.stdout.write(f"{position} {item}: not a URL and no such file")
                    continue
            except ValidationError as exc:
                self.stdout.write(f"{position} {item}: {'; '.join(exc.messages)}")
                continue
            self.stdout.write(report_line(report, position=position))
        for url in feed:
            self._feed(url)

    def _feed(self, url: str) -> None:
        try:
            feed, _ = feed_get_or_create(url=url)
        except ValidationError as exc:
            self.stdout.write(f"feed {url}: {'; '.join(exc.messages)}")
            return
        report = feed_check(feed=feed)
        if report.error:
            self.stdout.write(f"feed #{feed.pk} error {url} — {report.error}")
            return
        new = report.new_articles
        self.stdout.write(f"feed #{feed.pk} ok {url}: {len(new)} new entries")
        for index, article in enumerate(new, start=1):
            self.stdout.write(
                report_line(
                    article_check(article=article, candidates_now=True),
                    position=f"[{index}/{len(new)}]",
                )
            )
