"""reingest --all | --due: re-check articles now, synchronously, a line per article.

``--due`` claims the due rows the way the beat dispatcher does (so the two never check one
article at once) and includes the due feeds.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from articles.feeds import feed_check
from articles.models import Article, Feed
from core.leases import lease_due_rows
from pipeline.ingest import article_check

from ._report import report_line


class Command(BaseCommand):
    help = "Re-check every article (--all) or the articles and feeds that are due (--due)."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--all", action="store_true", dest="every", help="every article, now")
        group.add_argument("--due", action="store_true", help="the articles and feeds due")
        parser.add_argument("--limit", type=int, default=10_000)

    def handle(self, *args, every, due, limit, **options):
        if not (every or due):
            raise CommandError("Say which articles: --all or --due.")
        if every:
            ids = list(Article.objects.order_by("id").values_list("id", flat=True)[:limit])
        else:
            now = timezone.now()
            for feed in Feed.objects.filter(
                pk__in=lease_due_rows(
                    Feed.objects.due(now), field="next_check_at", now=now, limit=limit
                )
            ):
                report = feed_check(feed=feed)
                state = f"error — {report.error}" if report.error else "ok"
                self.stdout.write(
                    f"feed #{feed.pk} {state}: {len(report.new_articles)} new entries"
                )
            ids = lease_due_rows(
                Article.objects.due(timezone.now()),
                field="next_check_at",
                now=timezone.now(),
                limit=limit,
            )
        total = len(ids)
        if not total:
            self.stdout.write("No articles to check.")
        for index, article in enumerate(Article.objects.filter(pk__in=ids).order_by("id"), 1):
            report = article_check(article=article, candidates_now=True)
            self.stdout.write(report_line(report, position=f"[{index}/{total}]"))
