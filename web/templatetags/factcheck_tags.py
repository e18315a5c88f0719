from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def articles_of(claim) -> list:
    """The distinct articles a claim appears in, from its prefetched appearances (a claim
    appears once per revision, so one article may come up several times)."""
    seen, articles = set(), []
    for appearance in claim.appearances.all():
        article = appearance.revision.article
        if article.pk not in seen:
            seen.add(article.pk)
            articles.append(article)
    return articles


def _number(value) -> str:
    """11000.0000 → "11,000"; 2.5 → "2.5"."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,f}"


@register.filter
def figure(figure) -> str:
    """A parsed figure as read back: "about 11,000 troops", "10,000 to 12,000 people". Takes a
    ClaimFigure or a candidate's figure dict."""
    get = figure.get if isinstance(figure, dict) else lambda name: getattr(figure, name)
    low, high, value = get("low"), get("high"), get("value")
    if low is not None and high is not None and low != high:
        number = f"{_number(low)}\N{EN DASH}{_number(high)}"
    elif value is not None:
        number = _number(value)
    else:
        number = _number(low if low is not None else high)
    return " ".join(part for part in (get("qualifier") or "", number, get("unit") or "") if part)


# Readable names of the check-worthiness features (claims.text.scoring).
FEATURE_LABELS = {
    "figure": "figures",
    "named_actor": "named actor",
    "reported_event": "reported event",
    "reported_speech": "reported speech",
    "page_furniture": "page furniture",
}


@register.filter
def features(weights: dict) -> list[dict]:
    """A candidate's features, strongest first, each with a readable name and its sign."""
    items = sorted((weights or {}).items(), key=lambda item: -abs(item[1]))
    return [
        {
            "name": FEATURE_LABELS.get(key, key.replace("_", " ")),
            "weight": weight,
            "positive": weight > 0,
        }
        for key, weight in items
    ]
