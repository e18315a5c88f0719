"""Rebuild every status document: after a bulk import that bypassed the services, or to
repair. The services keep documents current on their own; this is never needed in routine use.
``--check`` only compares: it lists every stored document that differs from a fresh render and
exits 1 if there is any (0 when all match), so an operator or a test can tell that nothing has
written around the services."""

from django.core.management.base import BaseCommand, CommandError

from claims import documents


class Command(BaseCommand):
    help = (
        "Rebuild the status documents of every claim and article (served by the API); with "
        "--check, only list those that differ from a fresh render and exit 1 if any does."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing: compare every stored document with a fresh render, print "
            "those that differ, exit 1 if any does.",
        )

    def handle(self, *args, check: bool = False, **options):
        if check:
            stale = 0
            for line in documents.stale_documents():
                stale += 1
                self.stdout.write(line)
            if stale:
                raise CommandError(
                    f"{stale} document(s) differ from a fresh render; "
                    "`manage.py rebuild_documents` rewrites them."
                )
            self.stdout.write("Every document matches a fresh render.")
            return
        claims, articles = documents.rebuild_all()
        self.stdout.write(f"Rebuilt the documents of {claims} claims and {articles} articles.")
