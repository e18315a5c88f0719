"""Encode and store the sentence vectors of every claim that has none (claims.sentence_vectors):
after an upgrade that brought the sentence encoder, or a bulk load that bypassed the import.
Matching encodes a missing vector itself at the first match that reads the claim, so this is
never needed for correct results, only so that the first matches are as fast as later ones."""

from django.core.management.base import BaseCommand

from claims import sentence_vectors
from claims.models import Claim

BATCH = 5000


class Command(BaseCommand):
    help = "Encode and store the sentence vectors of the claims that have none yet."

    def handle(self, *args, **options):
        ids = list(Claim.objects.order_by("pk").values_list("pk", flat=True))
        stored = 0
        for start in range(0, len(ids), BATCH):
            stored += sentence_vectors.store_for_claims(ids[start : start + BATCH])
            self.stdout.write(f"{min(start + BATCH, len(ids))} of {len(ids)} claims looked at")
        self.stdout.write(f"Stored {stored} new sentence vectors for {len(ids)} claims.")
