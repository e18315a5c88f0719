"""The vectors of texts computed before, kept in the process (the embeddings of
claims.text.embeddings and of claims.text.sentence_encoder): a pool is mostly the same claims
query after query."""

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np


class VectorCache:
    """The vectors of the ``size`` texts used most recently, each computed once."""

    def __init__(self, size: int, dimensions: int):
        self.size = size
        self.dimensions = dimensions
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, texts: Sequence[str], compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """One row per text: kept ones as they are, the others by ``compute`` (outside the
        lock: other threads read meanwhile)."""
        distinct = list(dict.fromkeys(texts))
        with self._lock:
            known = {text: self._items[text] for text in distinct if text in self._items}
        missing = [text for text in distinct if text not in known]
        if missing:
            known.update(zip(missing, compute(missing), strict=True))
        with self._lock:
            for text in distinct:
                self._items[text] = known[text]
                self._items.move_to_end(text)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        if not distinct:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.stack([known[text] for text in texts])
