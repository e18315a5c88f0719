"""Who made a claim: the suggested claimant of a sentence resolved to a Source on record."""

import re
from urllib.parse import urlsplit

from django.db.models import Q
from django.db.models.functions import Lower

from articles.models import Article
from claims import services
from claims.models import (
    Source,
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


def source_match(name: str) -> Source | None:
    """The existing Source a suggested claimant names: the same name (without "the"), else the
    longest source name found inside it ("Transport Minister Helen Achterberg" → Helen
    Achterberg)."""
    words = _display_name(name).split()
    if not words:
        return None
    phrases = {
        " ".join(words[i:j]).lower().replace("\u2019", "'")
        for i in range(len(words))
        for j in range(i + 1, len(words) + 1)
        if any(w[0].isupper() for w in words[i:j]) or j - i > 1
    }
    # "Ukraine's Special Operations Forces" is also "Special Operations Forces of Ukraine".
    for phrase in list(phrases):
        owner, _, owned = phrase.partition("'s ")
        if owned and " " not in owner.strip():
            phrases.add(f"{owned} of {owner}")
    # A source named with a qualifier in brackets ("National Intelligence Service (South
    # Korea)") is found by its name without it.
    qualified = Q()
    for phrase in phrases:
        if len(phrase.split()) > 1:
            qualified |= Q(lname__startswith=f"{phrase} (")
    found = list(
        Source.objects.annotate(lname=Lower("name"))
        .filter(Q(lname__in=phrases) | qualified)
        .order_by("id")
        .only("id", "name", "kind", "parent_id", "root_id")
    )
    if not found:
        return None
    return max(found, key=lambda source: (len(source.name), -source.pk))


def claimant_source(*, name: str, article: Article, user=None) -> Source:
    """The Source for a suggested claimant, matched or created; an unattributed sentence is the
    outlet's own claim."""
    name = (name or "").strip()
    if not name:
        name = article.publisher or urlsplit(article.canonical_url).hostname or "Unknown outlet"
        kind = SourceKind.OUTLET
    else:
        kind = _source_kind(_display_name(name))
    existing = source_match(name)
    if existing is not None:
        return existing
    return services.source_create(name=_display_name(name)[:300], kind=kind, user=user)
