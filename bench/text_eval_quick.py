import sys

sys.path.insert(0, ".")
from claims_eval_set import load_articles
from claims.text.analysis import analyse_text


def norm(s):
    s = s.lower().replace("’", "'").strip(" .,")
    for p in ("the ",):
        if s.startswith(p):
            s = s[len(p) :]
    return s


for art in load_articles():
    res = analyse_text(art.text)
    bytext = {a.sentence.text: a for a in res}
    for ls in art.sentences:
        a = bytext.get(ls.text)
        if a is None:
            print("  !! not split:", ls.text[:60])
            continue
        flag = a.score.score >= 0.5
        mark = "ok" if flag == ls.checkworthy else "XX"
        cl = a.claimant
        clok = (not ls.claimants and not cl) or (
            cl
            and any(norm(cl) == norm(x) or norm(cl).endswith(" " + norm(x)) for x in ls.claimants)
        )
        print(
            f"{mark} {a.score.score:.2f} {'C' if ls.checkworthy else '-'} cl={'ok' if clok else 'XX'}:{cl!r}/{ls.claimants} {ls.text[:60]} {sorted(a.score.features)}"
        )
