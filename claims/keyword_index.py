"""The first stage of matching: BM25 over the claims on record, held in each process's memory.

Matching must not lose what keyword search finds (SPEC section 6), so the re-ranker looks at
the best ``MATCH_POOL`` claims by BM25 over each claim's statement and, for an imported
fact-check, its review's title (claims.text.retrieval: the same index, tokens and statistics
as the public benchmarks' evaluation). Every process that matches (a web worker, a Celery
worker) keeps one ``KeywordIndex``:

- built from the table on first use (100,000 claims: about 3 s and 40 MB);
- kept current at each match by one query on indexed columns: the claims whose
  ``updated_at`` is later than its last read of the table less ``COMMIT_WINDOW`` (for
  transactions still open then), or whose id it has not seen. The texts of those that
  changed are read, weighed with the index's statistics, and stand in for their old rows;
- rebuilt once the changes since it was built pass ``REBUILD_CHANGES`` plus
  ``REBUILD_SHARE`` of its size, or when it finds itself on another database.

The index only proposes ids: the pool is read back from the table (current statements and
titles), so a claim deleted since is dropped there and counted as a change.
"""

import math
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import numpy as np
from django.db import connection
from django.db.models import Count, Q, Sum

from claims.models import Claim
from claims.text.retrieval import BM25, PoolClaim, best_of, clean

# How long after its updated_at a change to a claim is assumed committed: no transaction
# that writes claims lasts longer (an import commits every thousand fact-checks, in seconds).
# Claims updated within this window before the last read are looked at again.
COMMIT_WINDOW = timedelta(seconds=10)
REBUILD_CHANGES = 2000
REBUILD_SHARE = 0.10
_READ_BATCH = 5000


def database_key() -> tuple:
    """Which database the index reads (a test run or a benchmark switches databases)."""
    return (connection.vendor, connection.settings_dict["NAME"])


def _text(statement: str, title: str | None) -> str:
    return PoolClaim(0, statement, title or "").text


class KeywordIndex:
    """BM25 over every claim (statement and title), kept current with the table."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._database: tuple | None = None
        self._reset()

    def _reset(self) -> None:
        self.ids = np.empty(0, dtype=np.int64)  # ascending
        self.stamps = np.empty(0, dtype=np.float64)  # each row's updated_at, as read
        self.versions = np.empty(0, dtype=np.int64)  # and its version
        self.bm25 = BM25([])
        self.masked = np.zeros(0, dtype=bool)  # rows changed or deleted since the build
        # Claims changed or added since the build: id -> (updated_at, version, text).
        self.changed: dict[int, tuple[float, int, str]] = {}
        self.changed_ids = np.empty(0, dtype=np.int64)
        self.changed_bm25: BM25 | None = None
        self.vanished: set[int] = set()
        self.newest: datetime | None = None  # the newest updated_at seen
        self.read_at = math.inf  # when the table was last read
        self.max_id = 0

    def forget(self) -> None:
        """Build afresh at the next match."""
        with self._lock:
            self._database = None
            self._reset()

    @property
    def size(self) -> int:
        return len(self.ids) + len(self.changed_ids)

    def pools(self, texts: list[str], *, k: int, exclude: Iterable[int] = ()) -> list[list[int]]:
        """For each text, the ids of its best ``k`` claims by BM25, best first."""
        exclude = set(exclude)
        with self._lock:
            self._refresh()
            excluded = self._rows(exclude)
            excluded_changed = np.isin(self.changed_ids, list(exclude)) if exclude else None
            pools = []
            for text in texts:
                query = clean(text)
                scores = self.bm25.scores(query)
                scores[self.masked] = 0
                scores[excluded] = 0
                found = [(float(s), int(self.ids[i])) for i, s in best_of(scores, k)]
                if self.changed_bm25 is not None:
                    changed = self.changed_bm25.scores(query)
                    if excluded_changed is not None:
                        changed[excluded_changed] = 0
                    found += [(float(s), int(self.changed_ids[i])) for i, s in best_of(changed, k)]
                    found.sort(key=lambda pair: (-pair[0], pair[1]))
                pools.append([claim_id for _, claim_id in found[:k]])
        return pools

    def lost(self, claim_ids: Iterable[int]) -> None:
        """Claims proposed that are no longer in the table (deleted since)."""
        with self._lock:
            self._lose(claim_ids)
            self._rebuild_if_due()

    def _rows(self, claim_ids: Iterable[int]) -> np.ndarray:
        wanted = np.fromiter(claim_ids, dtype=np.int64)
        places = np.searchsorted(self.ids, wanted)
        inside = places < len(self.ids)
        places, wanted = places[inside], wanted[inside]
        return places[self.ids[places] == wanted]

    def _refresh(self) -> None:
        database = database_key()
        if database != self._database:
            self._build()
            self._database = database
            return
        started = time.time()
        # New since the last read: an id not seen, or an updated_at after the newest seen.
        new = Q(pk__gt=self.max_id)
        if self.newest is not None:
            new |= Q(updated_at__gt=self.newest)
        rows = list(Claim.objects.filter(new).order_by().values_list("pk", "updated_at", "version"))
        # Changes that were not committed yet at the last read have an updated_at within the
        # window before it, below the newest seen: counted there, and read only if their
        # number, the sum of their ids or of their versions (every write bumps a claim's)
        # differs from what the index holds.
        since = self._window_start()
        if since is not None:
            window = Claim.objects.filter(
                updated_at__gt=since, updated_at__lte=self.newest, pk__lte=self.max_id
            ).order_by()
            counted = window.aggregate(count=Count("pk"), ids=Sum("pk"), versions=Sum("version"))
            found = (counted["count"], int(counted["ids"] or 0), int(counted["versions"] or 0))
            if found != self._held(since):
                present = list(window.values_list("pk", "updated_at", "version"))
                self._lose(self._held_ids(since) - {claim_id for claim_id, _, _ in present})
                rows += present
        fresh = self._changed_rows(rows)
        if not fresh:
            self.read_at = started
            return
        if self._due(len(fresh)):
            self._build()
            return
        for start in range(0, len(fresh), _READ_BATCH):
            for claim_id, updated_at, version, statement, title in (
                Claim.objects.filter(pk__in=fresh[start : start + _READ_BATCH])
                .order_by()
                .values_list("pk", "updated_at", "version", "statement", "external_review__title")
            ):
                self.changed[claim_id] = (updated_at.timestamp(), version, _text(statement, title))
                self.vanished.discard(claim_id)
                self.max_id = max(self.max_id, claim_id)
                self.newest = max(self.newest or updated_at, updated_at)
        self._changes_indexed()
        # Only once what it found is held: a read that failed half-way is made again.
        self.read_at = started

    def _window_start(self) -> datetime | None:
        """Where a change not committed at the last read may start (None: nowhere below the
        newest change seen, which the query for new changes covers)."""
        if self.newest is None or self.read_at == math.inf:
            return None
        since = datetime.fromtimestamp(self.read_at, tz=UTC) - COMMIT_WINDOW
        return since if since < self.newest else None

    def _held_mask(self, since: datetime) -> tuple[np.ndarray, list[int]]:
        low, high = since.timestamp(), self.newest.timestamp()  # type: ignore[union-attr]
        base = (self.stamps > low) & (self.stamps <= high) & ~self.masked
        changed = [
            claim_id for claim_id, (stamp, _, _) in self.changed.items() if low < stamp <= high
        ]
        return base, changed

    def _held(self, since: datetime) -> tuple[int, int, int]:
        """Number, sum of ids and sum of versions of the claims the index holds with an
        updated_at in the window."""
        base, changed = self._held_mask(since)
        return (
            int(base.sum()) + len(changed),
            int(self.ids[base].sum()) + sum(changed),
            int(self.versions[base].sum()) + sum(self.changed[c][1] for c in changed),
        )

    def _held_ids(self, since: datetime) -> set[int]:
        base, changed = self._held_mask(since)
        return set(self.ids[base].tolist()) | set(changed)

    def _changed_rows(self, rows: list[tuple[int, datetime, int]]) -> list[int]:
        """The ids of ``rows`` (id, updated_at, version) that the index holds otherwise (a
        write that left updated_at alone still bumped the version) or not at all."""
        if not rows:
            return []
        count = len(rows)
        ids = np.fromiter((claim_id for claim_id, _, _ in rows), dtype=np.int64, count=count)
        stamps = np.fromiter((u.timestamp() for _, u, _ in rows), dtype=np.float64, count=count)
        versions = np.fromiter((v for _, _, v in rows), dtype=np.int64, count=count)
        unchanged = np.zeros(count, dtype=bool)
        places = np.searchsorted(self.ids, ids)
        inside = places < len(self.ids)
        held = places[inside]
        unchanged[inside] = (
            (self.ids[held] == ids[inside])
            & (self.stamps[held] == stamps[inside])
            & (self.versions[held] == versions[inside])
            & ~self.masked[held]
        )
        for i in np.flatnonzero(~unchanged):
            known = self.changed.get(int(ids[i]))
            unchanged[i] = known is not None and known[:2] == (stamps[i], versions[i])
        return list(dict.fromkeys(ids[~unchanged].tolist()))

    def _lose(self, claim_ids: Iterable[int]) -> None:
        lost = set(claim_ids)
        if not lost:
            return
        self.vanished |= lost
        for claim_id in lost:
            self.changed.pop(claim_id, None)
        self._changes_indexed()

    def _changes_indexed(self) -> None:
        self.masked[self._rows(self.changed)] = True
        self.masked[self._rows(self.vanished)] = True
        self.changed_ids = np.fromiter(self.changed, dtype=np.int64, count=len(self.changed))
        self.changed_bm25 = (
            BM25([text for _, _, text in self.changed.values()], like=self.bm25)
            if self.changed
            else None
        )

    def _due(self, more: int = 0) -> bool:
        changes = len(self.changed) + len(self.vanished) + more
        return changes > REBUILD_CHANGES + REBUILD_SHARE * len(self.ids)

    def _rebuild_if_due(self) -> None:
        if self._due():
            self._database = None  # the next match builds

    def _build(self) -> None:
        self._reset()
        self.read_at = time.time()
        ids, stamps, versions, texts = [], [], [], []
        newest = None
        rows = (
            Claim.objects.order_by("pk")
            .values_list("pk", "updated_at", "version", "statement", "external_review__title")
            .iterator(chunk_size=_READ_BATCH)
        )
        for claim_id, updated_at, version, statement, title in rows:
            ids.append(claim_id)
            stamps.append(updated_at.timestamp())
            versions.append(version)
            texts.append(_text(statement, title))
            newest = max(newest or updated_at, updated_at)
        self.ids = np.asarray(ids, dtype=np.int64)
        self.stamps = np.asarray(stamps, dtype=np.float64)
        self.versions = np.asarray(versions, dtype=np.int64)
        self.bm25 = BM25(texts)
        self.masked = np.zeros(len(ids), dtype=bool)
        self.newest = newest
        self.max_id = int(self.ids[-1]) if len(ids) else 0


# One per process: matching in every thread of a worker reads it (under its lock).
keyword_index = KeywordIndex()
