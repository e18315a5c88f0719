"""Rebuild every status document: after a bulk import that bypassed the services, or to
repair. The services keep documents current on their own; this is never needed in routine use."""

from django.core.management.base import BaseCommand

from claims import documents


class Command(BaseCommand):
    help = "Rebuild the status documents of every claim and article (served by the API)."

    def handle(self, *args, **options):
        claims, articles = documents.rebuild_all()
        self.stdout.write(f"Rebuilt the documents of {claims} claims and {articles} articles.")
