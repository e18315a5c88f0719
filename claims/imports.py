"""Archives of fact-checks imported as claims with an external review (SPEC section 6).

Two formats:

- **JSON Lines**, one fact-check a line, an object with the fields below (others are ignored);
  only ``statement`` and one of ``external_id`` / ``url`` are required::

      {"statement": "…", "claimant": "…", "reviewer": "…", "rating": "…", "url": "https://…",
       "external_id": "…", "published_at": "2026-03-01", "title": "…"}

  ``statement``: the claim that was checked; ``claimant``: who made it (a name); ``reviewer``:
  who checked it; ``rating``: their rating in their words; ``url``: their fact-check;
  ``external_id``: their id for it; ``published_at``: when they published it (ISO 8601 date
  or date-time, UTC unless it says otherwise); ``title``: their headline.

- **schema.org ClaimReview JSON-LD**: one ClaimReview object, a list of them, a ``@graph``
  (other nodes in it are ignored), or a ``DataFeed`` (``dataFeedElement``, each a ClaimReview
  or a ``DataFeedItem`` whose ``item`` holds them). ``claimReviewed`` is the statement,
  ``itemReviewed.author.name`` the claimant, ``author.name`` the reviewer,
  ``reviewRating.alternateName`` the rating, ``url``, ``@id`` (or ``identifier``) the external
  id, ``datePublished``, ``name`` or ``headline`` the title. ``{"@id": …}`` references to
  other nodes of the document are followed.

A fact-check is the same one when its reviewer's id for it (``reviewer`` + ``external_id``)
or its URL is already on record (both are unique, so importing a file twice creates nothing):
it is updated if anything changed and counted as already present otherwise. A bad line is
reported with its line number and the reason, and skipped; nothing of it is written.

A claimant whose name is a source's name or alias (ignoring case, a leading "the" and a
qualifier in brackets) links to that source; otherwise the name is kept as text on the claim
(``claimant_name``) and no source is created (SPEC section 6).

Written in bulk, a batch per transaction: the claims and their history, the external reviews,
the figures their statements state, the status documents, and ``touch_claims`` so the
pipeline matches open candidates again after commit. PostgreSQL's trigger fills the claims'
full-text vectors; the matching caches are keyed by statement text, so nothing there goes
stale.
"""

import json
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from claims import documents, sentence_vectors
from claims.matching import MATCH_TEXT_MAX_LENGTH
from claims.models import (
    Claim,
    ClaimDocument,
    ClaimFigure,
    ExternalReview,
    Source,
    SourceAlias,
)
from claims.services import (
    attribute_change,
    claim_recompute_status,
    lock_claims,
    require_permission,
    share_lock,
)
from claims.text.figures import parse_figures
from core.events import touch_claims

JSONL = "jsonl"
JSONLD = "jsonld"
FORMATS = (JSONL, JSONLD)

BATCH = 1000
# After this many new claims PostgreSQL's statistics of the claims table are refreshed, so that
# the planner knows its size before autovacuum gets to it.
ANALYZE_AFTER = 1000

STATEMENT_MAX = MATCH_TEXT_MAX_LENGTH
_LIMITS = {
    "claimant": 300,
    "reviewer": 300,
    "rating": 300,
    "url": 2000,
    "external_id": 300,
    "title": 1000,
}
_CONTAINERS = ("@graph", "dataFeedElement", "itemListElement")
_ITEM_WRAPPERS = {"DataFeedItem", "ListItem"}


class ImportFormatError(ValueError):
    """The file as a whole cannot be read: an unknown format, or JSON-LD that is not JSON.
    Nothing is imported (the command's usage error, exit status 2)."""


@dataclass(frozen=True)
class FactCheck:
    line: int
    statement: str
    claimant: str = ""
    reviewer: str = ""
    rating: str = ""
    url: str = ""
    external_id: str = ""
    published_at: datetime | None = None
    title: str = ""


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportReport:
    total: int = 0
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[Problem] = field(default_factory=list)

    @property
    def done(self) -> int:
        return len(self.created) + len(self.updated) + self.unchanged + len(self.skipped)

    def summary(self) -> str:
        return (
            f"{len(self.created)} imported, {len(self.updated)} updated, "
            f"{self.unchanged} already present, {len(self.skipped)} skipped, "
            f"of {self.total} fact-checks."
        )


# Reading ----------------------------------------------------------------------------------


def detect_format(data: bytes) -> str:
    """JSON-LD when the file is one JSON value that is a list or a JSON-LD object; JSON Lines
    when its first line is an object (a file of one such line is JSON Lines too)."""
    text = data.decode("utf-8-sig", errors="replace").lstrip()
    if text.startswith("["):
        return JSONLD
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except ValueError:
            first = text.split("\n", 1)[0]
            try:
                value = json.loads(first)
            except ValueError:
                # A pretty-printed object that is not valid JSON: JSON-LD, reported as such.
                return JSONLD
            return JSONLD if _is_jsonld(value) else JSONL
        return JSONLD if _is_jsonld(value) else JSONL
    raise ImportFormatError(
        "Unknown format: expected JSON Lines (one JSON object a line) or schema.org "
        "ClaimReview JSON-LD (an object, a list, a @graph or a DataFeed)."
    )


def _is_jsonld(value) -> bool:
    return isinstance(value, list) or (
        isinstance(value, dict) and any(key.startswith("@") for key in value)
    )


def read_fact_checks(data: bytes, *, fmt: str = "auto") -> tuple[list[FactCheck], list[Problem]]:
    """The fact-checks of a file and the problems of its bad lines. Raises
    ``ImportFormatError`` when the file as a whole cannot be read."""
    if fmt == "auto":
        fmt = detect_format(data)
    if fmt == JSONL:
        return _read_jsonl(data)
    if fmt == JSONLD:
        return _read_jsonld(data)
    raise ImportFormatError(f"Unknown format {fmt!r}: one of {', '.join(FORMATS)} or auto.")


def _read_jsonl(data: bytes) -> tuple[list[FactCheck], list[Problem]]:
    found, problems = [], []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            problems.append(Problem(number, "not UTF-8 text"))
            continue
        except ValueError as exc:
            problems.append(Problem(number, f"not valid JSON ({_json_error(exc)})"))
            continue
        if not isinstance(value, dict):
            problems.append(Problem(number, "not a JSON object"))
            continue
        try:
            found.append(_fact_check_from_line(number, value))
        except ValidationError as exc:
            problems.append(Problem(number, "; ".join(exc.messages)))
    return found, problems


def _json_error(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at column {exc.colno}"
    return str(exc)


def _read_jsonld(data: bytes) -> tuple[list[FactCheck], list[Problem]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"The file is not UTF-8 text (byte {exc.start}).") from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"Not valid JSON-LD: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from exc
    nodes = _node_index(document)
    found, problems = [], []
    for line, node, strict in _positioned_items(text, document):
        for node_line, review in _claim_reviews(node, line, strict, problems):
            try:
                found.append(_fact_check_from_review(node_line, review, nodes))
            except ValidationError as exc:
                problems.append(Problem(node_line, "; ".join(exc.messages)))
    return found, problems


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _array_items(text: str, position: int) -> Iterator[tuple[int, object]]:
    """The elements of the JSON array starting at ``position``, each with its position (the
    text is already known to be valid JSON)."""
    decoder = json.JSONDecoder()
    position = _skip_space(text, position + 1)
    while position < len(text) and text[position] != "]":
        value, end = decoder.raw_decode(text, position)
        yield position, value
        position = _skip_space(text, end)
        if position < len(text) and text[position] == ",":
            position = _skip_space(text, position + 1)


def _positioned_items(text: str, document) -> Iterator[tuple[int, object, bool]]:
    """The top-level items of a JSON-LD document with their line numbers, and whether an item
    that is not a ClaimReview is a problem (in a list or a feed) or just another node (in a
    ``@graph``)."""
    start = _skip_space(text, 0)
    if isinstance(document, list):
        for position, value in _array_items(text, start):
            yield _line_of(text, position), value, True
        return
    if not isinstance(document, dict):
        raise ImportFormatError("Not JSON-LD: the file holds neither an object nor a list.")
    containers = [key for key in _CONTAINERS if isinstance(document.get(key), list)]
    if not containers:
        yield _line_of(text, start), document, True
        return
    # Walk the top object's members to find where each container's elements stand.
    decoder = json.JSONDecoder()
    position = _skip_space(text, start + 1)
    while position < len(text) and text[position] != "}":
        key, position = decoder.raw_decode(text, position)
        position = _skip_space(text, _skip_space(text, position) + 1)  # past the colon
        if key in containers:
            for item_position, value in _array_items(text, position):
                yield _line_of(text, item_position), value, key != "@graph"
        _, position = decoder.raw_decode(text, position)
        position = _skip_space(text, position)
        if position < len(text) and text[position] == ",":
            position = _skip_space(text, position + 1)


def _types(node) -> set[str]:
    if not isinstance(node, dict):
        return set()
    value = node.get("@type", [])
    names = value if isinstance(value, list) else [value]
    # "ClaimReview", "schema:ClaimReview" and "https://schema.org/ClaimReview" alike.
    return {re.split(r"[/:#]", name)[-1] for name in names if isinstance(name, str)}


def _claim_reviews(
    node, line: int, strict: bool, problems: list[Problem]
) -> Iterator[tuple[int, dict]]:
    types = _types(node)
    if "ClaimReview" in types or (isinstance(node, dict) and "claimReviewed" in node and not types):
        yield line, node
        return
    if types & _ITEM_WRAPPERS and isinstance(node, dict):
        items = node.get("item")
        for item in items if isinstance(items, list) else [items]:
            yield from _claim_reviews(item, line, strict, problems)
        return
    if isinstance(node, dict) and any(isinstance(node.get(key), list) for key in _CONTAINERS):
        for key in _CONTAINERS:
            for item in node.get(key) or []:
                yield from _claim_reviews(item, line, key != "@graph" and strict, problems)
        return
    if strict:
        kind = ", ".join(sorted(types)) if types else "no @type"
        problems.append(Problem(line, f"not a ClaimReview ({kind})"))


def _node_index(document) -> dict[str, dict]:
    """Nodes of the document by their ``@id``, to follow references such as
    ``"author": {"@id": "#org"}``."""
    found: dict[str, dict] = {}

    def visit(value) -> None:
        if isinstance(value, dict):
            node_id = value.get("@id")
            if isinstance(node_id, str) and len(value) > 1:
                found.setdefault(node_id, value)
            for child in value.values():
                visit(child)
        elif isinstance(value, list):
            for child in value:
                visit(child)

    visit(document)
    return found


def _resolved(value, nodes: dict[str, dict]):
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict) and set(value) == {"@id"}:
        return nodes.get(value["@id"], value)
    return value


def _name(value, nodes: dict[str, dict]):
    value = _resolved(value, nodes)
    if isinstance(value, dict):
        return value.get("name", "")
    return value if value is not None else ""


def _fact_check_from_review(line: int, review: dict, nodes: dict[str, dict]) -> FactCheck:
    item = _resolved(review.get("itemReviewed"), nodes)
    claimant = _name(item.get("author"), nodes) if isinstance(item, dict) else ""
    rating = _resolved(review.get("reviewRating"), nodes)
    rating_text = ""
    if isinstance(rating, dict):
        rating_text = rating.get("alternateName") or rating.get("name") or ""
    url = review.get("url") or ""
    external_id = review.get("identifier") or review.get("@id") or ""
    if external_id == url or (isinstance(external_id, str) and external_id.startswith("_:")):
        external_id = ""  # the URL identifies it already; a blank node identifies nothing
    return _fact_check(
        line,
        {
            "statement": review.get("claimReviewed"),
            "claimant": claimant,
            "reviewer": _name(review.get("author"), nodes) or _name(review.get("publisher"), nodes),
            "rating": rating_text,
            "url": url,
            "external_id": external_id,
            "published_at": review.get("datePublished"),
            "title": review.get("name") or review.get("headline") or "",
        },
        {"statement": "claimReviewed", "published_at": "datePublished"},
    )


def _fact_check_from_line(line: int, value: dict) -> FactCheck:
    return _fact_check(line, {name: value.get(name) for name in _FIELDS}, {})


_FIELDS = (
    "statement",
    "claimant",
    "reviewer",
    "rating",
    "url",
    "external_id",
    "published_at",
    "title",
)
_url_valid = URLValidator(schemes=["http", "https"])


def _text(name: str, value, label: str, errors: list[str]) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        errors.append(f"{label} must be text")
        return ""
    text = str(value).strip()
    if "\x00" in text:
        errors.append(f"{label} contains a NUL character")
        return ""
    limit = _LIMITS.get(name, STATEMENT_MAX)
    if len(text) > limit:
        errors.append(f"{label} is longer than {limit} characters")
        return ""
    return text


def _when(value, label: str, errors: list[str]) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        errors.append(f"{label} must be an ISO 8601 date or date-time")
        return None
    text = value.strip()
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            moment = datetime.combine(day, time.min) if day is not None else None
    except ValueError:
        moment = None
    if moment is None:
        errors.append(f"{label} {text[:40]!r} is not an ISO 8601 date or date-time")
        return None
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


def _fact_check(line: int, values: dict, labels: dict[str, str]) -> FactCheck:
    errors: list[str] = []
    cleaned = {
        name: _text(name, values.get(name), labels.get(name, name), errors)
        for name in _FIELDS
        if name != "published_at"
    }
    cleaned["statement"] = " ".join(cleaned["statement"].split())
    published_at = _when(
        values.get("published_at"), labels.get("published_at", "published_at"), errors
    )
    if not cleaned["statement"] and not any(
        e.startswith(labels.get("statement", "statement")) for e in errors
    ):
        errors.append(f"{labels.get('statement', 'statement')} is missing")
    if not cleaned["external_id"] and not cleaned["url"] and not errors:
        errors.append("neither external_id nor url is given: one of them identifies the fact-check")
    if cleaned["url"]:
        try:
            _url_valid(cleaned["url"])
        except ValidationError:
            errors.append(f"url {cleaned['url'][:60]!r} is not an http(s) URL")
    if errors:
        raise ValidationError(errors)
    return FactCheck(line=line, published_at=published_at, **cleaned)


# Claimants -------------------------------------------------------------------------------

_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")


def _normal_name(name: str) -> str:
    name = " ".join(name.replace("\u2019", "'").split()).lower()
    return name[4:] if name.startswith("the ") else name


class ClaimantIndex:
    """Every source name and alias, read once per import: a claimant resolves to the one source
    that has it as its name or alias (ignoring case and a leading "the"), else to the one whose
    name without a bracketed qualifier it is ("National Intelligence Service" for "National
    Intelligence Service (South Korea)"). Two sources with the name: none (an editor links
    it)."""

    AMBIGUOUS = 0

    def __init__(self):
        self.exact: dict[str, int] = {}
        self.unqualified: dict[str, int] = {}
        # What a claim document shows of its claimant, so new claims render with no query.
        self.sources = {source.pk: source for source in Source.objects.only("id", "name")}
        for source_id, source in self.sources.items():
            name = source.name
            self._add(self.exact, name, source_id)
            if _QUALIFIER.search(name):
                self._add(self.unqualified, _QUALIFIER.sub("", name), source_id)
        for source_id, alias in SourceAlias.objects.values_list("source_id", "alias"):
            self._add(self.exact, alias, source_id)

    def _add(self, names: dict[str, int], name: str, source_id: int) -> None:
        key = _normal_name(name)
        if key:
            known = names.setdefault(key, source_id)
            if known != source_id:
                names[key] = self.AMBIGUOUS

    def source_id(self, name: str) -> int | None:
        key = _normal_name(name)
        if not key:
            return None
        found = self.exact.get(key)
        if found is None:
            found = self.unqualified.get(key)
        return found or None


# Writing ---------------------------------------------------------------------------------

_REVIEW_FIELDS = ("reviewer", "rating", "url", "external_id", "published_at", "title")


def _figures(claim_id: int, statement: str, stated_at: datetime) -> list[ClaimFigure]:
    return [
        ClaimFigure(
            claim_id=claim_id,
            value=figure.value,
            low=figure.low,
            high=figure.high,
            qualifier=figure.qualifier,
            unit=figure.unit[:100],
            text=figure.text[:300],
            stated_at=stated_at,
        )
        for figure in parse_figures(statement)
        if _fits(figure.value) and _fits(figure.low) and _fits(figure.high)
    ]


def _fits(number: Decimal | None) -> bool:
    # ClaimFigure's columns hold 20 digits before the point.
    return number is None or abs(number) < Decimal(10) ** 20


def _draw_ids(model, objs: list) -> None:
    """Ids for new rows from their table's sequence, set on ``objs`` (PostgreSQL)."""
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (new_id,) in zip(objs, sorted(cursor.fetchall()), strict=True):
            setattr(obj, meta.pk.attname, new_id)


def _copy(model, columns: list[str], rows) -> None:
    """Rows into the model's table through COPY. The values are plain (text, numbers, dates,
    null), which COPY takes as they are; row triggers (the claims' full-text vector) run."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    statement = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _insert(model, objs: list) -> None:
    """New rows in bulk, their ids set on ``objs``: on PostgreSQL through COPY, the ids drawn
    from the table's sequence first (Django's ``bulk_create`` spent most of an import's time
    building its statement in Python), elsewhere ``bulk_create``."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=BATCH)
        return
    if isinstance(model._meta.pk, AutoFieldMixin):
        _draw_ids(model, objs)
    now = timezone.now()
    fields = model._meta.concrete_fields
    stamped = [
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj in objs:
        for name in stamped:
            setattr(obj, name, now)
    _copy(
        model,
        [f.column for f in fields],
        ([getattr(obj, f.attname) for f in fields] for obj in objs),
    )


def _insert_history(model, objs: list, user, reason: str = "Imported") -> None:
    """Each new row's first history record, as django-simple-history writes it (on
    PostgreSQL as plain rows: a historical model instance per row cost more than the COPY)."""
    if not objs:
        return
    historical = model.history.model
    now = timezone.now()
    marks = {
        "history_date": now,
        "history_user_id": user.pk if user is not None else None,
        "history_change_reason": reason,
        "history_type": "+",
    }
    tracked = [field.attname for field in historical.tracked_fields]
    if connection.vendor != "postgresql":
        historical.objects.bulk_create(
            [historical(**marks, **{name: getattr(obj, name) for name in tracked}) for obj in objs],
            batch_size=BATCH,
        )
        return
    by_attname = {field.attname: field for field in historical._meta.concrete_fields}
    columns = [by_attname[name].column for name in (*tracked, *marks)]
    extra = list(marks.values())
    _copy(historical, columns, ([getattr(obj, name) for name in tracked] + extra for obj in objs))


def _review_values(fact: FactCheck, review: ExternalReview) -> dict:
    """What the review becomes. A line that leaves out the URL or the id keeps the one on
    record: either identifies the fact-check, and a later file may know only one of them."""
    values = {name: getattr(fact, name) for name in _REVIEW_FIELDS}
    values["claim_reviewed"] = fact.statement
    for name in ("url", "external_id"):
        values[name] = values[name] or getattr(review, name)
    return values


class _Importer:
    def __init__(self, *, user, report: ImportReport):
        self.user = user if getattr(user, "is_authenticated", False) else None
        self.report = report
        self.claimants = ClaimantIndex()
        # Within one file, the line that first gave each identity.
        self.seen_ids: dict[tuple[str, str], int] = {}
        self.seen_urls: dict[str, int] = {}

    def state(self) -> tuple:
        return (
            dict(self.seen_ids),
            dict(self.seen_urls),
            len(self.report.skipped),
            self.report.unchanged,
        )

    def restore(self, state: tuple) -> None:
        self.seen_ids, self.seen_urls, skipped, self.report.unchanged = state
        del self.report.skipped[skipped:]

    def _duplicate(self, fact: FactCheck) -> Problem | None:
        earlier = None
        if fact.external_id:
            earlier = self.seen_ids.get((fact.reviewer, fact.external_id))
        if earlier is None and fact.url:
            earlier = self.seen_urls.get(fact.url)
        if earlier is not None:
            return Problem(fact.line, f"the same fact-check as line {earlier}")
        if fact.external_id:
            self.seen_ids[(fact.reviewer, fact.external_id)] = fact.line
        if fact.url:
            self.seen_urls[fact.url] = fact.line
        return None

    @transaction.atomic
    def batch(self, facts: list[FactCheck]) -> None:
        facts = [fact for fact in facts if not self._skipped(self._duplicate(fact))]
        by_id: dict[tuple[str, str], ExternalReview] = {}
        by_url: dict[str, ExternalReview] = {}
        ids = [fact.external_id for fact in facts if fact.external_id]
        urls = [fact.url for fact in facts if fact.url]
        existing = ExternalReview.objects.select_related("claim")
        for review in existing.filter(external_id__in=ids) if ids else []:
            by_id[(review.reviewer, review.external_id)] = review
        for review in existing.filter(url__in=urls) if urls else []:
            by_url[review.url] = review

        new: list[FactCheck] = []
        changed: list[tuple[FactCheck, ExternalReview]] = []
        for fact in facts:
            found_by_id = by_id.get((fact.reviewer, fact.external_id)) if fact.external_id else None
            found_by_url = by_url.get(fact.url) if fact.url else None
            if found_by_id and found_by_url and found_by_id.pk != found_by_url.pk:
                self._skipped(
                    Problem(
                        fact.line,
                        f"its external_id is claim #{found_by_id.pk}'s and its url is claim "
                        f"#{found_by_url.pk}'s: which one it is cannot be told",
                    )
                )
                continue
            review = found_by_id or found_by_url
            if review is None:
                new.append(fact)
            elif (
                found_by_id is None
                and review.external_id
                and fact.external_id
                and (review.reviewer, review.external_id) != (fact.reviewer, fact.external_id)
            ):
                self._skipped(
                    Problem(
                        fact.line,
                        f"its url is already that of {review.reviewer or 'a reviewer'}'s "
                        f"fact-check {review.external_id!r} (claim #{review.pk})",
                    )
                )
            elif self._differs(fact, review):
                changed.append((fact, review))
            else:
                self.report.unchanged += 1
        created = self._create(new)
        updated = self._update(changed)
        documents.claims_changed(updated)  # the new claims' were written with them
        touch_claims(created + updated)
        self.report.created.extend(created)
        self.report.updated.extend(updated)

    def _skipped(self, problem: Problem | None) -> bool:
        if problem is not None:
            self.report.skipped.append(problem)
        return problem is not None

    def _claim_fields(self, fact: FactCheck) -> dict:
        return {
            "statement": fact.statement,
            "claimant_id": self.claimants.source_id(fact.claimant),
            "claimant_name": fact.claimant,
        }

    def _claim_values(self, fact: FactCheck, review: ExternalReview) -> dict:
        """What a claim on record becomes. Editors' changes win: its statement follows the
        archive only while it is the archive's last wording, and its claimant only while it is
        the one the archive's name resolves to (or none), so a source an editor chose stays."""
        claim = review.claim
        values = self._claim_fields(fact)
        if claim.statement != review.claim_reviewed:
            values["statement"] = claim.statement
        if claim.claimant_id not in (None, self.claimants.source_id(claim.claimant_name)):
            values["claimant_id"] = claim.claimant_id
        return values

    def _differs(self, fact: FactCheck, review: ExternalReview) -> bool:
        claim = review.claim
        return any(
            getattr(claim, name) != value
            for name, value in self._claim_values(fact, review).items()
        ) or any(
            getattr(review, name) != value for name, value in _review_values(fact, review).items()
        )

    def _create(self, facts: list[FactCheck]) -> list[int]:
        if not facts:
            return []
        claims = [Claim(created_by=self.user, **self._claim_fields(fact)) for fact in facts]
        _insert(Claim, claims)
        _insert_history(Claim, claims, self.user)
        reviews = [
            ExternalReview(
                claim_id=claim.pk,
                claim_reviewed=fact.statement,
                **{f: getattr(fact, f) for f in _REVIEW_FIELDS},
            )
            for claim, fact in zip(claims, facts, strict=True)
        ]
        _insert(ExternalReview, reviews)
        _insert_history(ExternalReview, reviews, self.user)
        for claim, review in zip(claims, reviews, strict=True):
            if claim.claimant_id is not None:
                claim.claimant = self.claimants.sources[claim.claimant_id]
            Claim.external_review.related.set_cached_value(claim, review)
        _insert(ClaimDocument, documents.documents_of_new_claims(claims))
        now = timezone.now()
        figures = [
            figure
            for claim, fact in zip(claims, facts, strict=True)
            for figure in _figures(claim.pk, fact.statement, fact.published_at or now)
        ]
        _insert(ClaimFigure, figures)
        _insert_history(ClaimFigure, figures, self.user)
        return [claim.pk for claim in claims]

    def _update(self, changed: list[tuple[FactCheck, ExternalReview]]) -> list[int]:
        if not changed:
            return []
        fields_of = {review.pk: self._claim_values(fact, review) for fact, review in changed}
        # The locking order of claims.services: the claimants to be, then the claims.
        share_lock(Source, [fields["claimant_id"] for fields in fields_of.values()])
        locked = lock_claims(fields_of)
        claims, reviews, restated, recompute = [], [], [], []
        now = timezone.now()
        for fact, review in changed:
            claim = locked.get(review.pk)
            if claim is None:
                continue  # deleted meanwhile; its review went with it
            review.claim = claim  # as it is now, locked: an editor may have changed it
            fields = self._claim_values(fact, review)
            if claim.statement != fields["statement"]:
                restated.append((claim.pk, fact))
            if claim.claimant_id != fields["claimant_id"]:
                recompute.append(claim)
            for name, value in fields.items():
                setattr(claim, name, value)
            claim.version += 1
            claim.updated_at = now  # bulk_update does not apply auto_now
            attribute_change(claim, self.user, "Updated by an import")
            claims.append(claim)
            for name, value in _review_values(fact, review).items():
                setattr(review, name, value)
            review.updated_at = now
            reviews.append(review)
        bulk_update_with_history(
            claims,
            Claim,
            ["statement", "claimant", "claimant_name", "version", "updated_at"],
            batch_size=BATCH,
            default_user=self.user,
            default_change_reason="Updated by an import",
        )
        bulk_update_with_history(
            reviews,
            ExternalReview,
            [*_REVIEW_FIELDS, "claim_reviewed", "updated_at"],
            batch_size=BATCH,
            default_user=self.user,
            default_change_reason="Updated by an import",
        )
        if restated:
            # The figures an import recorded follow the statement; an editor's (dated by a
            # revision) stay.
            ClaimFigure.objects.filter(
                claim_id__in=[pk for pk, _ in restated], revision__isnull=True
            ).delete()
            figures = [
                figure
                for pk, fact in restated
                for figure in _figures(pk, fact.statement, fact.published_at or now)
            ]
            bulk_create_with_history(figures, ClaimFigure, default_user=self.user)
        for claim in recompute:
            # Which evidence is independent depends on the claimant.
            claim_recompute_status(
                claim=claim, user=self.user, reason="Claimant changed by an import"
            )
        return [claim.pk for claim in claims]


def claims_import(
    *,
    fact_checks: list[FactCheck],
    problems: list[Problem] = (),
    user=None,
    as_operator: bool = False,
    progress: Callable[[ImportReport], None] | None = None,
    batch_size: int = BATCH,
) -> ImportReport:
    """Import fact-checks read by ``read_fact_checks`` (with the problems of its bad lines),
    a batch per transaction. Needs ``claims.add_claim``, unless run by an operator on the
    command line (``as_operator``)."""
    if not as_operator:
        require_permission(user, "claims.add_claim", "import fact-checks")
    report = ImportReport(total=len(fact_checks) + len(problems), skipped=list(problems))
    importer = _Importer(user=user, report=report)
    # The statements' sentence vectors are encoded after each batch's commit (they are a
    # cache that matching would fill itself, one pool at a time, slowing the first matches
    # against a new archive), in a thread while the next batch is written: the encoder
    # runs outside the GIL, and the thread never touches the database.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sentence-vectors") as encoder:
        encoding: Future | None = None
        for start in range(0, len(fact_checks), batch_size):
            chunk = fact_checks[start : start + batch_size]
            state = importer.state()
            written = len(report.created), len(report.updated)
            try:
                importer.batch(chunk)
            except IntegrityError:
                # Another import wrote some of these fact-checks since we looked (the unique
                # constraints stopped the duplicates; the batch was rolled back): look again.
                importer.restore(state)
                importer.batch(chunk)
            missing = sentence_vectors.missing_for_claims(
                report.created[written[0] :] + report.updated[written[1] :]
            )
            if encoding is not None:
                sentence_vectors.save(encoding.result())
            encoding = encoder.submit(sentence_vectors.encode, missing)
            if progress is not None:
                progress(report)
        if encoding is not None:
            sentence_vectors.save(encoding.result())
    report.skipped.sort(key=lambda problem: problem.line)
    if len(report.created) >= ANALYZE_AFTER and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE claims_claim")
    return report


def import_file(
    data: bytes, *, fmt: str = "auto", user=None, as_operator: bool = False, progress=None
) -> ImportReport:
    """Read and import a file's bytes; ``ImportFormatError`` when it cannot be read at all."""
    if not as_operator:
        require_permission(user, "claims.add_claim", "import fact-checks")
    fact_checks, problems = read_fact_checks(data, fmt=fmt)
    return claims_import(
        fact_checks=fact_checks,
        problems=problems,
        user=user,
        as_operator=as_operator,
        progress=progress,
    )
