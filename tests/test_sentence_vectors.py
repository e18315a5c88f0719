"""The sentence encoder of claim matching (claims.text.sentence_encoder) and its stored
vectors (claims.sentence_vectors): real weights, real ONNX Runtime, no mock."""

from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from claims import sentence_vectors
from claims.imports import import_file
from claims.matching import claims_match
from claims.models import Claim, SentenceVector, Source, SourceKind
from claims.text import rerank, sentence_encoder
from claims.text.retrieval import PoolClaim
from claims.text.vector_cache import VectorCache

SAMPLE = Path(__file__).resolve().parent.parent / "claims" / "demo" / "sample_factchecks.jsonl"


def test_paraphrases_are_nearer_than_other_claims():
    troops, restated, port, measles = sentence_encoder.encode(
        [
            "About 11,000 North Korean troops have been deployed to assist Russian forces.",
            "Pyongyang sent roughly eleven thousand soldiers to help Russia fight.",
            "The port strike has left more than 40,000 containers waiting to be unloaded.",
            "Measles cases in the region tripled since 2023.",
        ]
    )
    assert troops @ restated > 0.6
    assert troops @ restated > max(troops @ port, troops @ measles) + 0.3
    lengths = np.linalg.norm(np.vstack([troops, restated, port]), axis=1)
    assert np.allclose(lengths, 1.0, atol=1e-2)


def test_encoding_is_total_and_repeatable():
    odd = ["", "🙂", "word " * 2000, "Zahlen: 3.000 Soldaten\x00", "Over 3,000 killed"]
    first = sentence_encoder.encode(odd)
    assert first.shape == (5, sentence_encoder.DIMENSIONS) and np.isfinite(first).all()
    assert np.array_equal(first, sentence_encoder.encode(odd))
    # One text alone or among others: nearly the same vector (8-bit quantisation scales each
    # batch's activations together; padding is masked out).
    assert sentence_encoder.encode([odd[4]])[0] @ first[4] > 0.97
    assert sentence_encoder.encode([]).shape == (0, sentence_encoder.DIMENSIONS)


def test_stored_form_round_trips_and_keys_follow_text_and_version():
    (vector,) = sentence_encoder.encode(["The council voted to ban cars."])
    assert len(sentence_encoder.to_bytes(vector)) == 2 * sentence_encoder.DIMENSIONS
    assert np.array_equal(sentence_encoder.from_bytes(sentence_encoder.to_bytes(vector)), vector)
    key = sentence_encoder.key("The council voted to ban cars.")
    assert key != sentence_encoder.key("The council voted to ban cars!")
    assert len(key) == 64 and key == sentence_encoder.key("The council voted to ban cars.")


def test_vectors_are_encoded_once_then_read(db, django_assert_num_queries):
    texts = ["Bread prices rose 12% in a year.", "Bread prices rose 12% in a year.", "Rain."]
    with django_assert_num_queries(2):  # read (none stored), store the two new ones
        first = sentence_vectors.vectors(texts)
    assert SentenceVector.objects.count() == 2
    with django_assert_num_queries(1):
        again = sentence_vectors.vectors(texts)
    assert np.array_equal(first, again) and np.array_equal(first[0], first[1])
    assert np.array_equal(first[[0, 2]], sentence_encoder.encode([texts[0], texts[2]]))
    assert sentence_vectors.vectors([]).shape == (0, sentence_encoder.DIMENSIONS)


def test_an_import_stores_its_statements_vectors(db):
    report = import_file(SAMPLE.read_bytes(), as_operator=True)
    statements = set(
        Claim.objects.filter(pk__in=report.created).values_list("statement", flat=True)
    )
    keys = {sentence_encoder.key(statement) for statement in statements}
    assert SentenceVector.objects.filter(key__in=keys).count() == len(statements) > 30
    assert sentence_vectors.store_for_claims(report.created) == 0  # nothing left to encode


def test_a_claim_edited_by_hand_gets_a_vector_for_its_new_words(db):
    source = Source.objects.create(name="Ministry", kind=SourceKind.GOVERNMENT)
    claim = Claim.objects.create(
        statement="The ministry says 11,000 troops were deployed.", claimant=source
    )
    Claim.objects.create(statement="Grain exports fell by a third.", claimant=source)
    text = "Officials said eleven thousand soldiers had been deployed."
    (best, _), *_ = claims_match(text=text)
    assert best == claim
    old_key = sentence_encoder.key(claim.statement)
    Claim.objects.filter(pk=claim.pk).update(statement="Grain imports rose by a third.")
    claims_match(text=text)
    # The new statement got its own vector; the old one stays, keyed by the old words.
    assert (
        SentenceVector.objects.filter(
            key__in=[old_key, sentence_encoder.key("Grain imports rose by a third.")]
        ).count()
        == 2
    )


def test_the_reranker_reads_a_vector_given_with_the_claim_as_its_own():
    statement = "Drinking hot water every fifteen minutes kills the flu virus."
    text = "Hot water every 15 minutes kills flu, a viral message says."
    (vector,) = sentence_encoder.encode([statement])
    given = rerank.sentence_cosines(text, [PoolClaim(1, statement, "", vector)])
    encoded = rerank.sentence_cosines(text, [PoolClaim(1, statement)])
    assert given == pytest.approx(encoded, abs=1e-6) and given[0] > 0.6


def test_the_backfill_command_stores_what_is_missing_and_only_that(db):
    source = Source.objects.create(name="Ministry", kind=SourceKind.GOVERNMENT)
    Claim.objects.create(statement="Wheat exports doubled in 2025.", claimant=source)
    Claim.objects.create(statement="Wheat exports doubled in 2025.", claimant=source)
    Claim.objects.create(statement="The dam holds 4 billion cubic metres.", claimant=source)
    out = StringIO()
    call_command("store_sentence_vectors", stdout=out)
    assert "Stored 2 new sentence vectors for 3 claims." in out.getvalue()
    assert SentenceVector.objects.count() == 2
    out = StringIO()
    call_command("store_sentence_vectors", stdout=out)
    assert "Stored 0 new sentence vectors for 3 claims." in out.getvalue()


def test_a_missing_encoder_is_reported_at_start(monkeypatch):
    from claims import apps

    assert apps.sentence_encoder_installed(None) == []
    monkeypatch.setattr(sentence_encoder, "WEIGHTS_PACKAGE", "no_such_weights_package")
    (error,) = apps.sentence_encoder_installed(None)
    assert error.id == "claims.E001" and "requirements-model.txt" in error.hint


def test_the_vector_cache_computes_each_text_once_and_stays_bounded():
    computed: list[list[str]] = []

    def compute(texts):
        computed.append(texts)
        return np.asarray([[float(len(text)), 1.0] for text in texts])

    cache = VectorCache(size=3, dimensions=2)
    rows = cache.get(["aa", "b", "aa"], compute)
    assert rows.tolist() == [[2.0, 1.0], [1.0, 1.0], [2.0, 1.0]] and computed == [["aa", "b"]]
    assert cache.get(["b", "aa"], compute).tolist() == [[1.0, 1.0], [2.0, 1.0]]
    assert len(computed) == 1  # both kept
    cache.get(["ccc", "dddd"], compute)  # "b", the least recently used, makes room
    assert len(cache) == 3 and computed[-1] == ["ccc", "dddd"]
    cache.get(["aa"], compute)
    assert computed[-1] == ["ccc", "dddd"]
    cache.get(["b"], compute)
    assert computed[-1] == ["b"]
    assert cache.get([], compute).shape == (0, 2)
