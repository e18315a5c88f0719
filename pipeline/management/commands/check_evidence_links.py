"""check_evidence_links: check evidence links now, synchronously, a line per evidence item,
progress on a terminal, then a summary.

One link never stops the batch: whatever goes wrong is stored on the evidence (its link error,
shown in the admin and the links queue) and printed. Exit status 0 when every check succeeded,
1 when some ended in an error (a broken link, a failed check), 2 on a usage error.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from claims.evidence_links import evidence_check_link
from claims.models import Evidence
from core.leases import lease_due_rows

from ._report import Batch


class Command(BaseCommand):
    help = "Check every evidence link (or only the due ones with --due); broken or changed "
    help += "links flag their claim for review."

    def add_arguments(self, parser):
        parser.add_argument("--due", action="store_true", help="only the links due a check")

    def handle(self, *args, due, **options):
        if due:
            now = timezone.now()
            ids = lease_due_rows(
                Evidence.objects.link_check_due(now),
                field="link_next_check_at",
                now=now,
                limit=100_000,
            )
            items = Evidence.objects.filter(pk__in=ids).order_by("id")
        else:
            items = Evidence.objects.order_by("id")
        total = items.count()
        if not total:
            self.stdout.write("No evidence links to check.")
        batch = Batch(self, total=total, noun="links")
        for evidence in items.iterator():
            position = batch.position()
            checked = evidence_check_link(evidence=evidence)
            line = f"{position} evidence #{checked.pk} {checked.link_state} {checked.url}"
            if checked.link_error:
                line += f" — {checked.link_error}"
            batch.record(line, failed=bool(checked.link_error))
        batch.finish()
