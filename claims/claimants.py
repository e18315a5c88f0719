"""Who made a claim: the suggested claimant of a sentence resolved to a Source on record."""

import re
from urllib.parse import urlsplit

from django.db.models import Q
from django.db.models.functions import Lower

from articles.models import Article
from claims.models import (
    Candidate,
    Source,
    SourceAlias,
    SourceKind,
)

_GOVERNMENT_WORDS = re.compile(
    r"\b(?:ministry|minister|ministers|government|president|department|authority|council|"
    r"parliament|police|army|military|forces|intelligence|governor|mayor|secretary|embassy|"
    r"agency|office|officials|cabinet|kremlin|white house|navy|prosecutor|court|service)\b",
    re.IGNORECASE,
)
_PERSON_TITLES = re.compile(
    r"^(?:(?:[A-Z]\w+\s+)?(?:President|Minister|Secretary|General|Colonel|Governor|Mayor|"
    r"Senator|Dr\.?|Mr\.?|Mrs\.?|Ms\.?|Prof\.?|Professor|spokesman|spokeswoman|leader|"
    r"director|chief)\s+)+",
)


def _source_kind(name: str) -> str:
    words = name.split()
    bare = _PERSON_TITLES.sub("", name).split()
    if (
        bare
        and len(bare) <= 3
        and all(w[0].isupper() for w in bare)
        and not _GOVERNMENT_WORDS.search(" ".join(bare))
        and not re.search(r"\b(?:union|institute|university|association|bank|group)\b", name, re.I)
        and words[0].lower() != "the"
    ):
        return SourceKind.PERSON
    if _GOVERNMENT_WORDS.search(name):
        return SourceKind.GOVERNMENT
    return SourceKind.ORGANIZATION


def _display_name(name: str) -> str:
    name = re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)
    return name[:1].upper() + name[1:]


def _phrases(name: str) -> set[str]:
    words = _display_name(name).replace("\u2019", "'").split()
    phrases = {
        " ".join(words[i:j]).lower()
        for i in range(len(words))
        for j in range(i + 1, len(words) + 1)
        if any(w[0].isupper() for w in words[i:j]) or j - i > 1
    }
    # "Ukraine's Special Operations Forces" is also "Special Operations Forces of Ukraine".
    for phrase in list(phrases):
        owner, _, owned = phrase.partition("'s ")
        if owned and " " not in owner.strip():
            phrases.add(f"{owned} of {owner}")
    return phrases


def source_match(name: str) -> Source | None:
    """The existing Source a suggested claimant names, through names and aliases: the same
    name or alias (without "the"), else the longest name or alias found inside it ("Transport
    Minister Helen Achterberg" → Helen Achterberg, "Kremlin spokesman Dmitry Peskov" → the
    Government of Russia when "Kremlin" is its alias and Peskov is not on record). None when
    nothing fits, or when two sources fit equally well: the editor chooses then."""
    phrases = _phrases(name)
    if not phrases:
        return None
    # A source named with a qualifier in brackets ("National Intelligence Service (South
    # Korea)") is found by its name without it.
    qualified = Q()
    for phrase in phrases:
        if len(phrase.split()) > 1:
            qualified |= Q(lname__startswith=f"{phrase} (")
    columns = ("id", "name", "kind", "parent_id", "root_id")
    by_name = (
        Source.objects.annotate(lname=Lower("name"))
        .filter(Q(lname__in=phrases) | qualified)
        .only(*columns)
    )
    # How much of the claimant each source accounts for: the longer the words matched, the
    # surer the match ("Ministry of Defence of Russia" over "Russia").
    matched: dict[int, tuple[int, Source]] = {}
    for source in by_name:
        lname = source.name.lower().replace("\u2019", "'")
        length = len(lname) if lname in phrases else len(lname.split(" (", 1)[0])
        matched[source.pk] = (length, source)
    aliases = (
        SourceAlias.objects.annotate(lalias=Lower("alias"))
        .filter(lalias__in=phrases)
        .select_related("source")
        .only("alias", *(f"source__{c}" for c in columns))
    )
    for alias in aliases:
        known = matched.get(alias.source_id)
        if known is None or known[0] < len(alias.alias):
            matched[alias.source_id] = (len(alias.alias), alias.source)
    if not matched:
        return None
    best = max(length for length, _ in matched.values())
    found = [source for length, source in matched.values() if length == best]
    return found[0] if len(found) == 1 else None


def _outlet(article: Article) -> Source | None:
    """The outlet that published the article: its publisher's name or alias, else the outlet
    whose address is on the article's host."""
    if article.publisher:
        found = source_match(article.publisher)
        if found is not None:
            return found
    host = (urlsplit(article.canonical_url).hostname or "").lower()
    if not host:
        return None
    outlets = [
        source
        for source in Source.objects.filter(kind=SourceKind.OUTLET, url__icontains=host)
        if (urlsplit(source.url).hostname or "").lower() == host
    ]
    return outlets[0] if len(outlets) == 1 else None


def suggested_source(candidate: Candidate) -> Source | None:
    """The existing source the candidate's suggested claimant resolves to (an unattributed
    sentence is the outlet's own claim), or None. Never creates one: a new source is an
    editor's explicit step, with its parent (SPEC section 3: independence follows parents)."""
    name = (candidate.suggested_claimant or "").strip()
    if not name:
        return _outlet(candidate.article)
    return source_match(name)


def new_source_proposal(candidate: Candidate) -> dict:
    """What the "new source" step starts from: the claimant's name as a source name and a
    guess at its kind (the outlet for an unattributed sentence). Only a proposal."""
    name = (candidate.suggested_claimant or "").strip()
    if not name:
        article = candidate.article
        return {
            "name": article.publisher or urlsplit(article.canonical_url).hostname or "",
            "kind": SourceKind.OUTLET,
        }
    display = _display_name(name)[:300]
    return {"name": display, "kind": _source_kind(display)}
