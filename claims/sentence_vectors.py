"""The sentence vectors of claims' statements, stored (claims.models.SentenceVector), so that
a match reads its pool's hundred vectors in one query instead of encoding a hundred claims
(claims.text.sentence_encoder: one to two milliseconds each).

A vector is found by a hash of the encoder's version and the text, so it never goes stale: a
statement that changes has another key, and its vector is encoded when it is first needed.
An import stores the vectors of the claims it wrote (``store_for_claims``), so that matching
against a fresh archive is as fast as against an old one; a claim added or edited by hand is
encoded at the first match that reads it. Rows are only added, never updated: a vector that
no claim uses any longer costs 800 bytes and harms nothing.
"""

from collections.abc import Iterable, Sequence

import numpy as np

from claims.models import Claim, SentenceVector
from claims.text import sentence_encoder

_READ_BATCH = 500
_WRITE_BATCH = 1000


def _stored(keys: Iterable[str]) -> dict[str, np.ndarray]:
    keys = list(dict.fromkeys(keys))
    found: dict[str, np.ndarray] = {}
    for start in range(0, len(keys), _READ_BATCH):
        rows = SentenceVector.objects.filter(key__in=keys[start : start + _READ_BATCH])
        for key, vector in rows.values_list("key", "vector"):
            found[key] = sentence_encoder.from_bytes(vector)
    return found


def encode(missing: dict[str, str]) -> dict[str, np.ndarray]:
    """The vectors of the texts of ``missing`` (key -> text), by key. No database access: an
    import runs it in a thread beside its own writing (``claims.imports``)."""
    keys, texts = list(missing), list(missing.values())
    return dict(zip(keys, sentence_encoder.encode(texts), strict=True))


def save(found: dict[str, np.ndarray]) -> None:
    """Store vectors by key. Another process may store the same text meanwhile: the same
    vector, so either wins."""
    rows = [
        SentenceVector(key=key, vector=sentence_encoder.to_bytes(vector))
        for key, vector in found.items()
    ]
    SentenceVector.objects.bulk_create(rows, batch_size=_WRITE_BATCH, ignore_conflicts=True)


def _encode_and_store(missing: dict[str, str]) -> dict[str, np.ndarray]:
    found = encode(missing)
    save(found)
    return found


def vectors(texts: Sequence[str]) -> np.ndarray:
    """Each text's vector (len(texts) x DIMENSIONS): read where stored, else encoded and
    stored."""
    keys = [sentence_encoder.key(text) for text in texts]
    found = _stored(keys)
    missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in found}
    if missing:
        found.update(_encode_and_store(missing))
    if not keys:
        return np.zeros((0, sentence_encoder.DIMENSIONS), dtype=np.float32)
    return np.stack([found[key] for key in keys])


def missing_for_claims(claim_ids: Iterable[int]) -> dict[str, str]:
    """The statements of these claims that have no stored vector yet, by key."""
    ids = list(claim_ids)
    statements: dict[str, str] = {}
    for start in range(0, len(ids), _READ_BATCH):
        for statement in Claim.objects.filter(pk__in=ids[start : start + _READ_BATCH]).values_list(
            "statement", flat=True
        ):
            statements[sentence_encoder.key(statement)] = statement
    stored = _stored(statements)
    return {key: text for key, text in statements.items() if key not in stored}


def store_for_claims(claim_ids: Iterable[int]) -> int:
    """Encode and store the statements of these claims that have no vector yet; how many."""
    missing = missing_for_claims(claim_ids)
    _encode_and_store(missing)
    return len(missing)
