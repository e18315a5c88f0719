"""Who a sentence attributes its claim to: "the ministry estimates that …" → the ministry,
"… ,” Park said." → Park; "He said …" and a bare quote after an attributed one carry the
previous sentence's claimant; a surname alone resolves to the full name met earlier.
"""

import re
from collections.abc import Sequence

from claims.text.sentences import Sentence

_VERBS = (
    "said|says|say|told|tells|stated|states|estimates|estimated|estimate|announced|announces|"
    "confirmed|confirms|reported|reports|claimed|claims|warned|warns|wrote|writes|posted|posts|"
    "accused|accuses|denied|denies|found|finds|calculated|calculates|show|shows|showed|"
    "proposed|proposes|insisted|insists|added|argued|argues|alleged|alleges|acknowledged|"
    "admitted|predicted|predicts|described|describes|rejected|rejects|dismissed|dismisses|"
    "demanded|demands|demanding|called for|calls for|revealed|reveals|noted|notes|disclosed|"
    "testified|projects|projected|forecast|forecasts|expects|expected|promised|pledged|"
    "concluded|concludes|suggested|suggests|condemned|condemns|criticised|criticized|"
    "welcomed|urged|urges|vowed|pledges|disputed|disputes|corroborated|corroborates|"
    "defended|defends|avoided denying|declined to deny|refused to deny|did not deny|"
    "reveal|confirm|deny|dismiss|warn|insist|argue|accuse|maintained|maintains|"
    "pointed to|points to|point to|"
    "put the (?:number|figure|toll|cost|total)"
)
_VERB_RE = re.compile(rf"\b(?:{_VERBS})\b")
_ACCORDING_TO = re.compile(r"\baccording to\s+(?P<who>[^,;.:“”\"]+)", re.IGNORECASE)
_PARENTHETICAL = re.compile(
    r",\s*(?P<who>[^,“”\"]{2,60}?)\s+(?:say|says|said|believe|believes|claim|claims),"
)
_INVERTED = re.compile(
    r"[,”\"’]\s*(?:said|says|told|added|wrote|insisted|warned)\s+"
    r"(?P<who>(?:the\s+)?[A-Z][^,.;:“”\"]{1,80})"
)
_BOUNDARIES = re.compile(r"[,;:“”\"—–]|\s-\s")
_LEADING = re.compile(
    r"^(?:but|and|yet|however|meanwhile|still|so|now|later|earlier|separately|also|while|"
    r"although|though|whereas)\b\s*",
    re.IGNORECASE,
)
_TRAILING = re.compile(
    r"\s+(?:has|have|had|is|are|was|were|will|would|also|previously|initially|already|"
    r"repeatedly|again|recently|publicly|separately|further|later|earlier|then|since|"
    r"not|never|has also|have also)$",
    re.IGNORECASE,
)
_REPORT_OF = re.compile(
    r"^(?:new\s+|recent\s+|official\s+|the\s+latest\s+)?"
    r"(?:figures|data|statistics|numbers|records|documents|research|a\s+report|a\s+survey|"
    r"a\s+poll|a\s+study|an\s+analysis|a\s+review)\s+(?:from|by|of|published\s+by)\s+(?P<who>.+)$",
    re.IGNORECASE,
)
_PRONOUNS = {"he", "she", "they", "it", "the minister", "the spokesman", "the spokeswoman"}
_DETERMINERS = {"the", "a", "an", "its", "his", "her", "their", "our"}
_PASSIVE = {"was", "were", "be", "been", "being", "is", "are"}
_OPEN_QUOTES = ("“", '"', "‘", "'")
_QUOTE_SPAN = re.compile(r"“[^”]*”|\"[^\"]*\"")
_SUBJECT_MAX_WORDS = 10
_CONFIRMS = re.compile(r"\b(?:confirmed|confirms|said|says|told|reported|announced|stated)\b")


def _clean(who: str) -> str:
    who = _LEADING.sub("", who.strip(" ,.;:—–-\"“”'’"))
    previous = None
    while previous != who:
        previous = who
        who = _TRAILING.sub("", who).strip()
    report = _REPORT_OF.match(who)
    if report:
        who = report.group("who")
    return who.strip(" ,.;:")


# A speaker is a noun phrase: what starts with a preposition or a verb is an introductory
# phrase ("In a Facebook message posted Friday"), rhetoric ("Let me") or a first-person
# statement ("I have traveled to …"), and a finite verb inside it means it is a clause.
_NOT_SUBJECT_START = {
    "in", "on", "at", "after", "during", "from", "with", "for", "by", "to", "of", "as", "if",
    "when", "because", "since", "before", "let", "let's", "please", "here", "there", "what",
    "why", "how", "where", "this", "these", "those", "it", "we", "you", "i", "my", "our",
}  # fmt: skip
_FINITE = re.compile(
    r"\b(?:have|has|had|is|are|was|were|will|would|can|could|do|does|did|am)\b", re.IGNORECASE
)
_NUMBER_WORD = re.compile(
    r"^(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|hundred|thousand|million|billion|[\w-]+-(?:one|two|three|four|five|"
    r"six|seven|eight|nine))$",
    re.IGNORECASE,
)


def _plausible(who: str) -> bool:
    words = who.split()
    if not words or len(words) > _SUBJECT_MAX_WORDS or re.search(r"\d", who):
        return False
    if words[0].lower() in _NOT_SUBJECT_START or _FINITE.search(who):
        return False
    if _NUMBER_WORD.match(words[-1]):
        return False  # "the fifty states": the verb-looking word is a noun
    if re.search(r"\b(?:that|which|who|when|because|if|while|than)\b", who, re.IGNORECASE):
        return False
    if words[-1].lower() in _DETERMINERS | {"these", "those", "such", "of", "to"}:
        return False  # "denying the claims": the verb-looking word is a noun here
    first = words[0]
    return first[0].isupper() or first.lower() in _DETERMINERS or words[-1].lower().endswith("s")


def _subject_before(sentence: str, verb: re.Match) -> str | None:
    head = sentence[: verb.start()].rstrip(" ,;:—–")
    if head.split() and head.split()[-1].lower() in _PASSIVE and not verb.group().endswith("ing"):
        return None  # "were found", "was reported": passive, not an attribution
    segments = _BOUNDARIES.split(head)
    # "Rita Moss, who chairs the audit committee, told": the relative clause set off by commas
    # describes the speaker named before it.
    while len(segments) > 1 and re.match(r"\s*(?:who|which|whose)\b", segments[-1]):
        segments = segments[:-1]
    candidate = _clean(segments[-1]) if segments else ""
    # "A former soldier who defected in 2022 told reporters": the relative clause describes
    # the speaker; the speaker is the noun phrase before it.
    relative = re.search(r"\s(?:who|which|whose)\s", candidate)
    if relative:
        candidate = candidate[: relative.start()].strip()
    # "Park Ji-ho, a farmer, said": the description is an apposition; the name comes before it.
    if (
        candidate.split()
        and candidate.split()[0].lower() in {"a", "an"}
        and not _REPORT_OF.match(segments[-1].strip())
        and len(segments) > 1
        and _plausible(_clean(segments[-2]))
    ):
        candidate = _clean(segments[-2])
    if candidate.lower() in _PRONOUNS:
        return candidate.lower()
    if not _plausible(candidate):
        return None
    return candidate


def attribution(sentence: str) -> str | None:
    """The source named in this sentence alone; a lower-case pronoun ("he") when the sentence
    attributes the claim to someone named before it; None when it attributes nothing."""
    according = _ACCORDING_TO.search(sentence)
    if according:
        who = _clean(according.group("who"))
        if _plausible(who):
            return who
    inverted = _INVERTED.search(sentence)
    if inverted:
        who = _clean(inverted.group("who"))
        if _plausible(who):
            return who
    parenthetical = _PARENTHETICAL.search(sentence)
    if parenthetical:
        who = _clean(parenthetical.group("who"))
        if _plausible(who) and not who[0].isupper():
            return who
    quoted = [m.span() for m in _QUOTE_SPAN.finditer(sentence)]
    for verb in _VERB_RE.finditer(sentence):
        if any(start <= verb.start() < end for start, end in quoted):
            continue
        subject = _subject_before(sentence, verb)
        if subject:
            return subject
    return None


def _resolve_name(who: str, earlier: Sequence[str]) -> str:
    # "Park said" after "Park Ji-ho, a farmer, said": the same person. A bare surname or a
    # title and surname ("President Zelenskyy") takes the fuller name seen before, and
    # "the agency" the last source named that ends in "agency".
    definite = re.fullmatch(r"the (\w+)", who, re.IGNORECASE)
    if definite:
        noun = definite.group(1).lower()
        for name in reversed(earlier):
            if len(name.split()) > 2 and name.lower().split()[-1] == noun:
                return name
        return who
    words = who.split()
    if not words or len(words) > 2 or not words[-1][0].isupper():
        return who
    surname = words[-1]
    for name in reversed(earlier):
        name_words = name.split()
        if len(name_words) > len(words) and surname in name_words:
            return name
    return who


def suggest_claimants(sentences: Sequence[Sentence]) -> list[str | None]:
    """One suggestion per sentence of an article, in order."""
    suggestions: list[str | None] = []
    own: list[bool] = []  # found in the sentence itself, not carried from another
    named: list[str] = []
    previous: Sentence | None = None
    for sentence in sentences:
        who = None if sentence.is_heading else attribution(sentence.text)
        carried_from = suggestions[-1] if suggestions else None
        same_paragraph = previous is not None and previous.paragraph == sentence.paragraph
        if who in _PRONOUNS:
            who = carried_from
        elif who is None and same_paragraph and sentence.text.startswith(_OPEN_QUOTES):
            # A quotation that follows an attributed one is the same speaker's.
            who = carried_from
        elif who is not None:
            who = _resolve_name(who, named)
            named.append(who)
        suggestions.append(who)
        own.append(who is not None and who is not carried_from)
        previous = sentence
    # "… discovered the bodies. Among the casualties …, the special forces confirmed.": a
    # paragraph's unattributed first sentence takes the source that the next one names as
    # confirming or reporting it.
    for index, sentence in enumerate(sentences[:-1]):
        following = sentences[index + 1]
        if (
            suggestions[index] is None
            and sentence.index_in_paragraph == 0
            and not sentence.is_heading
            and not sentence.text.startswith(_OPEN_QUOTES)
            and following.paragraph == sentence.paragraph
            and own[index + 1]
            and _CONFIRMS.search(following.text)
        ):
            suggestions[index] = suggestions[index + 1]
    return suggestions
