"""ingest URL_OR_PATH [...] and ingest --feed URL: fetch now, synchronously, a line per article
with its candidates (found here, not queued, so the line can count them), then a summary.

One item never stops the batch: a failure of any kind is stored on its article (or feed) and
printed, and the command goes on. Exit status 0 when every item succeeded, 1 when some failed
(a 404, a refused address, an extraction error, a bug; "not modified" is no failure), 2 when
an argument is neither a URL nor an existing file (then nothing is ingested).
"""

import logging
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from articles.feeds import feed_check, feed_get_or_create
from pipeline.ingest import CheckReport, article_check, article_ingest_file, article_ingest_url

from ._report import Batch, report_line, usage_error

logger = logging.getLogger(__name__)


def _is_url(item: str) -> bool:
    return item.startswith(("http://", "https://"))


class Command(BaseCommand):
    help = "Ingest articles from URLs or local HTML/text files, or the new entries of a feed."

    def add_arguments(self, parser):
        parser.add_argument("items", nargs="*", metavar="URL_OR_PATH")
        parser.add_argument("--feed", action="append", default=[], metavar="URL")

    def handle(self, *args, items, feed, **options):
        if not items and not feed:
            raise usage_error("Give at least one URL or file path, or --feed URL.")
        missing = [item for item in items if not _is_url(item) and not Path(item).exists()]
        if missing:
            raise usage_error(
                "Not a URL and no such file: " + ", ".join(missing) + ". Nothing was ingested."
            )
        batch = Batch(self, total=len(items), noun="items")
        for item in items:
            self._item(batch, item)
        for url in feed:
            self._feed(batch, url)
        batch.finish()

    def _item(self, batch: Batch, item: str) -> None:
        position = batch.position()
        try:
            if _is_url(item):
                report = article_ingest_url(url=item, candidates_now=True)
            else:
                report = article_ingest_file(path=Path(item), candidates_now=True)
        except ValidationError as exc:
            batch.record(f"{position} {item}: {'; '.join(exc.messages)}", failed=True)
            return
        except Exception as exc:
            # Before the article exists (or could be read back) there is no row to record it
            # on: the line and the log say it.
            logger.exception("ingest %s failed", item)
            batch.record(f"{position} {item}: {type(exc).__name__}: {exc}", failed=True)
            return
        self._record(batch, report, position)

    def _record(self, batch: Batch, report: CheckReport, position: str) -> None:
        batch.record(report_line(report, position=position), failed=report.failed)

    def _feed(self, batch: Batch, url: str) -> None:
        try:
            feed, _ = feed_get_or_create(url=url)
        except ValidationError as exc:
            batch.total += 1
            batch.record(f"feed {url}: {'; '.join(exc.messages)}", failed=True)
            return
        report = feed_check(feed=feed)
        batch.total += 1 + len(report.new_articles)
        if report.error:
            batch.record(f"feed #{feed.pk} error {url} — {report.error}", failed=True)
            return
        new = report.new_articles
        batch.record(f"feed #{feed.pk} ok {url}: {len(new)} new entries", failed=False)
        for index, article in enumerate(new, start=1):
            self._record(
                batch,
                article_check(article=article, candidates_now=True),
                position=f"[{index}/{len(new)}]",
            )
