"""reingest --all | --due: re-check articles now, synchronously, a line per article, progress
on a terminal, then a summary.

``--due`` claims the due rows the way the beat dispatcher does (so the two never check one
article at once) and includes the due feeds.

One article never stops the batch: whatever goes wrong is stored on it and printed. Exit
status 0 when every item succeeded, 1 when some failed ("not modified" and "deferred" are no
failures), 2 on a usage error.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from articles.feeds import feed_check
from articles.models import Article, Feed
from core.leases import lease_due_rows
from pipeline.ingest import article_check

from ._report import Batch, report_line, usage_error


class Command(BaseCommand):
    help = "Re-check every article (--all) or the articles and feeds that are due (--due)."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--all", action="store_true", dest="every", help="every article, now")
        group.add_argument("--due", action="store_true", help="the articles and feeds due")
        parser.add_argument("--limit", type=int, default=10_000)

    def handle(self, *args, every, due, limit, **options):
        if not (every or due):
            raise usage_error("Say which articles: --all or --due.")
        if limit < 1:
            raise usage_error("--limit must be at least 1.")
        feeds: list[Feed] = []
        if every:
            ids = list(Article.objects.order_by("id").values_list("id", flat=True)[:limit])
        else:
            now = timezone.now()
            feeds = list(
                Feed.objects.filter(
                    pk__in=lease_due_rows(
                        Feed.objects.due(now), field="next_check_at", now=now, limit=limit
                    )
                )
            )
            ids = lease_due_rows(
                Article.objects.due(timezone.now()),
                field="next_check_at",
                now=timezone.now(),
                limit=limit,
            )
        batch = Batch(self, total=len(feeds) + len(ids), noun="items")
        for feed in feeds:
            report = feed_check(feed=feed)
            state = f"error — {report.error}" if report.error else "ok"
            batch.record(
                f"feed #{feed.pk} {state}: {len(report.new_articles)} new entries",
                failed=report.error is not None,
            )
        if not ids:
            self.stdout.write("No articles to check.")
        total = len(ids)
        for index, article in enumerate(Article.objects.filter(pk__in=ids).order_by("id"), 1):
            report = article_check(article=article, candidates_now=True)
            batch.record(report_line(report, position=f"[{index}/{total}]"), failed=report.failed)
        batch.finish()
