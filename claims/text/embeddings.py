"""Sentence embeddings for claim matching: WordLlama's static token embeddings, averaged.

The weights and the tokenizer ship inside the wordllama wheel (about 19 MB), so nothing is
fetched at run time or in CI. Its default loader looks for the tokenizer in another folder
and then tries to download it: the package's own folder is given as the cache and downloads
are disabled, so a missing file fails loudly instead of reaching the network.

The model is loaded once per process, on first use, and embeddings of texts seen before (the
claims of a pool, matched again and again) are kept in a bounded cache.
"""

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import wordllama

from claims.text.vector_cache import VectorCache

DIMENSIONS = 256
# About 1 KB a text: the claims a process matches against most, without growing unbounded.
CACHE_SIZE = 50_000

_lock = threading.Lock()
_state: dict = {"model": None}
_cache = VectorCache(CACHE_SIZE, DIMENSIONS)


def _model():
    if _state["model"] is None:
        with _lock:
            if _state["model"] is None:
                _state["model"] = wordllama.WordLlama.load(
                    cache_dir=Path(wordllama.__file__).parent,
                    disable_download=True,
                    dim=DIMENSIONS,
                )
    return _state["model"]


def embed(texts: Sequence[str]) -> np.ndarray:
    """One unit-length float32 row per text (a text with no known token is all zeros)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = np.asarray(_model().embed(list(texts), norm=False), dtype=np.float32)
    lengths = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(lengths > 0, lengths, 1.0)


def embed_cached(texts: Sequence[str]) -> np.ndarray:
    """As ``embed``, reusing the vectors of texts embedded before in this process."""
    return _cache.get(texts, embed)


# Word vectors for the soft alignment of claims.text.rerank: one matrix, a row per word seen,
# so that a pool's thousands of words are gathered by index rather than stacked one by one.
# Bounded: past WORD_CACHE_SIZE words it starts afresh (rows are looked up per call, so no
# caller keeps a stale index).
WORD_CACHE_SIZE = 200_000
_words: dict = {"index": {}, "matrix": np.zeros((1024, DIMENSIONS), dtype=np.float32)}


def _add_words(words: list[str], vectors: np.ndarray) -> None:
    """Under _lock: rows for words not in the matrix yet."""
    index: dict[str, int] = _words["index"]
    if len(index) + len(words) > WORD_CACHE_SIZE:
        index.clear()
    matrix = _words["matrix"]
    needed = len(index) + len(words)
    if needed > len(matrix):
        grown = np.zeros((max(needed, 2 * len(matrix)), DIMENSIONS), dtype=np.float32)
        grown[: len(matrix)] = matrix
        _words["matrix"] = matrix = grown
    for word, vector in zip(words, vectors, strict=True):
        if word not in index:
            index[word] = len(index)
            matrix[index[word]] = vector


def word_vectors(words: Sequence[str]) -> np.ndarray:
    """One unit-length row per word (its tokens' embeddings averaged): what a soft alignment
    of two texts reads, word against word. Words are embedded once per process."""
    with _lock:
        missing = [w for w in dict.fromkeys(words) if w not in _words["index"]]
    fresh = embed(missing) if missing else None
    with _lock:
        if fresh is not None:
            _add_words(missing, fresh)
        index = _words["index"]
        # Another thread may have started the matrix afresh in between: rare, embedded here.
        lost = [w for w in dict.fromkeys(words) if w not in index]
        if lost:
            _add_words(lost, embed(lost))
            index = _words["index"]
        rows = np.fromiter((index[w] for w in words), dtype=np.int64, count=len(words))
        return _words["matrix"][rows]
