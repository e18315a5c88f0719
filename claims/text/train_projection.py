"""Fit the re-ranker's learned projection of the embeddings (the ``cosine_learned`` feature).

WordLlama's averaged token embeddings (claims.text.embeddings) were trained for general
sentence similarity: a debate sentence and the PolitiFact statement it restates often score
no higher than other claims about the same topic. A linear map W of the 256 dimensions,
learned here from the training parts' pairs, makes the cosine of ``q W`` and ``c W`` tell the
claim a text restates from the others in its keyword pool: for each query, a softmax over the
cosines with every claim of its pool (statement and title alike) is pushed towards the right
ones (InfoNCE with the pool's claims as the negatives, the hard ones keyword search confuses).
W starts at the identity and is drawn back towards it, so it adjusts the embeddings rather
than replacing them.

numpy only (Adam on minibatches, in float32, with a fixed seed): the same data gives the same
W, and nothing here needs more than the app's own dependencies. Called by
claims.text.train_matching, once per fold (for out-of-fold features) and once on all queries
(the shipped projection).
"""

from dataclasses import dataclass

import numpy as np

from claims.text import embeddings

# Chosen on the training parts, out of fold (cosine alone ranked first, 5 folds): a softer
# temperature and a firmer pull to the identity than 0.05 and 0.001 did as well in half the
# epochs; 8 epochs, where the out-of-fold figure stops rising.
TEMPERATURE = 0.1
IDENTITY_PULL = 0.01
EPOCHS = 8
LEARNING_RATE = 1e-3
BATCH = 32
SEED = 15


@dataclass
class Queries:
    """One benchmark's training queries as vectors: each query's own, and its pool's claims
    as rows of ``statements``/``titles`` (a claim without a title has its statement there)."""

    vectors: np.ndarray  # query x 256, unit length
    statements: np.ndarray  # claim x 256
    titles: np.ndarray  # claim x 256
    has_title: np.ndarray  # claim, bool
    pools: np.ndarray  # query x pool size, row of each pooled claim (-1: none)
    labels: np.ndarray  # query x pool size, bool: the claim is one the query restates
    weight: float  # of its queries in the loss (claims.text.train_matching.DEBATE_WEIGHT)


def queries(texts, pools, labels, weight: float) -> Queries:
    """``texts`` (cleaned as claims.text.rerank reads them), ``pools`` (PoolClaim lists) and
    ``labels`` (one bool array per pool) of one benchmark."""
    rows: dict[tuple[str, str], int] = {}
    for pool in pools:
        for claim in pool:
            rows.setdefault((claim.statement, claim.title), len(rows))
    keys = list(rows)
    size = max(map(len, pools))
    index = np.full((len(pools), size), -1)
    right = np.zeros((len(pools), size), dtype=bool)
    for q, (pool, y) in enumerate(zip(pools, labels, strict=True)):
        index[q, : len(pool)] = [rows[(c.statement, c.title)] for c in pool]
        right[q, : len(pool)] = y
    statements = embeddings.embed([s for s, _ in keys])
    titles = embeddings.embed([t or s for s, t in keys])
    return Queries(
        vectors=embeddings.embed(list(texts)),
        statements=statements,
        titles=titles,
        has_title=np.asarray([bool(t) for _, t in keys]),
        pools=index,
        labels=right,
        weight=weight,
    )


def _gradient(
    vectors: np.ndarray, claims: np.ndarray, valid: np.ndarray, right: np.ndarray, w: np.ndarray
) -> np.ndarray:
    """The gradient in W of the summed InfoNCE loss of a batch: ``vectors`` B x d, ``claims``
    B x P x d, ``valid`` and ``right`` B x P."""
    u = vectors @ w
    u_norm = np.linalg.norm(u, axis=1, keepdims=True)
    u_norm[u_norm == 0] = 1.0
    u_hat = u / u_norm
    v = claims @ w
    v_norm = np.linalg.norm(v, axis=2, keepdims=True)
    v_norm[v_norm == 0] = 1.0
    v_hat = v / v_norm
    cosine = np.einsum("bk,bpk->bp", u_hat, v_hat)
    logits = np.where(valid, cosine / TEMPERATURE, -1e9)
    every = np.exp(logits - logits.max(axis=1, keepdims=True))
    every /= every.sum(axis=1, keepdims=True)
    positive = np.where(right, logits, -1e9)
    positive = np.exp(positive - positive.max(axis=1, keepdims=True))
    positive /= positive.sum(axis=1, keepdims=True)
    g = (every - positive) / TEMPERATURE  # d loss / d cosine
    du = (np.einsum("bp,bpk->bk", g, v_hat) - (g * cosine).sum(axis=1, keepdims=True) * u_hat) / (
        u_norm
    )
    dv = g[:, :, None] * (u_hat[:, None, :] - cosine[:, :, None] * v_hat) / v_norm
    d = w.shape[0]
    return vectors.T @ du + claims.reshape(-1, d).T @ dv.reshape(-1, d)


def fit(parts: list[Queries], chosen: list[np.ndarray]) -> np.ndarray:
    """W (256 x 256, float32) from the queries ``chosen`` (one bool mask per part) that have a
    right claim in their pool."""
    items = [
        (n, q)
        for n, part in enumerate(parts)
        for q in np.flatnonzero(chosen[n] & part.labels.any(axis=1))
    ]
    d = embeddings.DIMENSIONS
    identity = np.eye(d, dtype=np.float32)
    w = identity.copy()
    mean, square = np.zeros_like(w), np.zeros_like(w)
    rng = np.random.default_rng(SEED)
    step = 0
    for _ in range(EPOCHS):
        order = rng.permutation(len(items))
        for start in range(0, len(order), BATCH):
            gradient = 2 * IDENTITY_PULL * (w - identity)
            batch = [items[i] for i in order[start : start + BATCH]]
            for n, part in enumerate(parts):
                at = np.asarray([q for m, q in batch if m == n], dtype=int)
                if not len(at):
                    continue
                index = part.pools[at]
                valid = index >= 0
                for table, usable in (
                    (part.statements, valid),
                    (part.titles, valid & part.has_title[index]),
                ):
                    right = part.labels[at] & usable
                    kept = right.any(axis=1)
                    if not kept.any():
                        continue
                    gradient += (part.weight / BATCH) * _gradient(
                        part.vectors[at[kept]],
                        table[index[kept]],
                        usable[kept],
                        right[kept],
                        w,
                    )
            step += 1
            mean = 0.9 * mean + 0.1 * gradient
            square = 0.999 * square + 0.001 * gradient * gradient
            w -= (
                LEARNING_RATE
                * (mean / (1 - 0.9**step))
                / (np.sqrt(square / (1 - 0.999**step)) + 1e-8)
            ).astype(np.float32)
    return w.astype(np.float32)
