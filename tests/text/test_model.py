"""The shipped check-worthiness model: its n-grams are scikit-learn's, the training command
works on any file of the three formats, and the model is small and loads once."""

import json
import math

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from claims.text.analysis import analyse_text
from claims.text.model import MODEL_PATH, _block, load_model, shipped_model
from claims.text.train import block_spec, main

SENTENCES = [
    "The unemployment rate fell to 3.5 percent in 2019.",
    "We have lost 700,000 jobs in America, the senator said.",
    "I think that's a wonderful idea, don't you?",
    "Thank you.",
    "Crime is up 40 percent in our cities — more than ever before!",
    "Ukraine’s Special Operations Forces confirmed it in a post on X.",
    "Naïve   café  co-operation, l’été… 12:30 #COVID19 @user https://t.co/abc",
]


@pytest.mark.parametrize(
    "params",
    [
        {"analyzer": "word", "ngram_range": (1, 2)},
        {"analyzer": "char_wb", "ngram_range": (2, 5)},
    ],
)
def test_the_models_ngrams_weigh_as_scikit_learns_tfidf(params):
    vectorizer = TfidfVectorizer(sublinear_tf=True, **params).fit(SENTENCES)
    coef = [math.sin(i) for i in range(len(vectorizer.vocabulary_))]
    block = _block(json.loads(json.dumps(block_spec(vectorizer, coef, zero_digits=False))))
    expected = vectorizer.transform(SENTENCES) @ coef
    for text, want in zip(SENTENCES, expected, strict=True):
        assert block.contribution(block.counts(text)) == pytest.approx(want, abs=1e-4)


def test_which_figure_a_sentence_states_does_not_move_its_score():
    one, other = (
        analyse_text(f"The port handled {figure} containers in March.")[0].score.score
        for figure in ("4,200", "3,900")
    )
    assert one == other


def test_the_shipped_model_is_small_loads_once_and_keeps_its_features():
    assert MODEL_PATH.stat().st_size < 5_000_000
    assert shipped_model() is shipped_model()
    score = analyse_text("Unemployment fell to 3.5 percent last year, the ministry said.")[0]
    assert score.score.score >= 0.5
    assert {"figure", "attribution", "wording"} <= set(score.score.features)


def test_training_works_on_files_of_each_format(tmp_path):
    claimbuster = tmp_path / "mine.jsonl"
    claimbuster.write_text(
        "".join(
            json.dumps({"id": i, "text": text, "check_worthy": int(i % 2 == 0)}) + "\n"
            for i, text in enumerate(SENTENCES * 3)
        ),
        encoding="utf-8",
    )
    debate = tmp_path / "debate.tsv"
    debate.write_text(
        "".join(
            f"{i}\tSPEAKER\t{text}\t{int('percent' in text)}\n" for i, text in enumerate(SENTENCES)
        ),
        encoding="utf-8",
    )
    tweets = tmp_path / "tweets.tsv"
    tweets.write_text(
        "topic_id\ttweet_id\ttweet_url\ttweet_text\tclaim\tcheck_worthiness\n"
        + "".join(f"t\t{i}\tu\t{text}\t1\t{i % 2}\n" for i, text in enumerate(SENTENCES)),
        encoding="utf-8",
    )
    out = tmp_path / "model.json.gz"
    args = ["--claimbuster", str(claimbuster), "--clef2019", str(debate)]
    assert main([*args, "--clef2020", str(tweets), "--out", str(out)]) == 0
    trained = load_model(out)
    assert trained.meta["sentences"] == 3 * len(SENTENCES) + 2 * len(SENTENCES)
    assert trained.meta["trained_on"] == ["mine.jsonl", "debate.tsv", "tweets.tsv"]
    assert len(trained.wording(["Crime is up 40 percent."])) == 1
    assert set(trained.rule_weights) == set(shipped_model().rule_weights)


def test_training_refuses_data_with_one_class(tmp_path, capsys):
    only_claims = tmp_path / "claims.jsonl"
    only_claims.write_text(json.dumps({"id": 1, "text": "x", "check_worthy": 1}) + "\n")
    assert main(["--claimbuster", str(only_claims), "--out", str(tmp_path / "m.json.gz")]) == 2
    assert "both check-worthy and other" in capsys.readouterr().err
