"""The number grammar of the statistics extractor: how a value, a confidence interval, a p-value, a sample size, a
percentage and a range are written, whatever the house style.

Numbers: thousands separators (``1,093``, ``2,257.80``, ``1 093`` with a thin or no-break space; a plain space only
after ``=``), decimal points and middle dots (``.47``, ``0·47``), decimal commas where they cannot be thousands
(``0,47``, ``1,5``: one, two or four-plus digits after the comma, or a leading zero), signs (``-``, Unicode minus
``−``), and OCR/LaTeX wrapping (``$19.5\\%$``). :func:`parse_number` turns any of them into a plain decimal string.
"""
from __future__ import annotations

import re

SIGN = r"[-−‒]"
GAP = r"[\s$]*"  # blanks and the $ of LaTeX math that OCR leaves around numbers
PCT = r"(?:\s*\\?%|\s*percent\b)"
_UNSIGNED = (
    r"(?:\d{1,3}(?:,\d{3})+(?:[.·]\d+)?(?![\d,])"  # 1,093  2,257.80
    r"|\d{1,3}(?:[\u2009\u202f\u00a0]\d{3})+(?:[.·]\d+)?(?!\d)"  # 1 093 (thin / no-break space)
    r"|0,\d+(?!\d)|\d+,(?:\d{1,2}|\d{4,})(?![\d,])"  # 0,47  1,5  (decimal commas: never a thousands group)
    r"|\d+(?:[.·]\d+)?|[.·]\d+)"
)
NUMBER = rf"(?:{SIGN}\s?)?{_UNSIGNED}"
UNSIGNED = _UNSIGNED
INTEGER = r"(?:\d{1,3}(?:[,\u2009\u202f\u00a0]\d{3})+(?![\d,])|\d{1,3}(?: \d{3})+(?![\d,.])|\d+)"  # counts
CI_WORD = (
    r"(?:(?:(?:95|99|90)\s*(?:\\?%|percent)\s*)?(?:CI|confidence\s+interval|\\mathrm\{CI\}|Cr?I)"
    r"(?:\s*\$?\s*[(\[](?:CI|\\mathrm\{CI\})[)\]])?)"
)
SEP = rf"{GAP}(?:to|–|—|-|‒|,|;|and){GAP}"
_BOUND = rf"(?P<lo>{NUMBER}){PCT}?{SEP}(?P<hi>{NUMBER}){PCT}?"
CI_NAMED = re.compile(
    rf"{GAP}[,;]?{GAP}[(\[]?{GAP}{CI_WORD}{GAP}[:,=]?{GAP}[(\[]?{GAP}" + _BOUND, re.IGNORECASE
)
CI_BARE = re.compile(rf"\s*[(\[]{GAP}" + _BOUND + r"(?:\s*[A-Za-z/]{1,6})?\s*(?=[)\];,])")
P_VALUE = re.compile(
    r"(?<![\w.])(?:[pP](?:\s*-?\s*values?)?)\s*(?P<cmp><\s*or\s*=|>\s*or\s*=|[<>]=?|=\s*<|[=≤≥]|less\s+than"
    rf"|greater\s+than|under|below){GAP}(?P<v>{_UNSIGNED})"
)
SAMPLE_SIZE = re.compile(rf"(?<![\w.])[nN]\s*=\s*(?P<v>{INTEGER})(?![\d.])")
PERCENT = re.compile(
    rf"(?<![\w.,·]){GAP}(?P<v>{NUMBER}){PCT}(?![\s$]*(?:(?:CI|confidence|credible)\b|\\mathrm\{{CI\}}))", re.IGNORECASE
)
_COMPARATORS = {"≤": "<=", "≥": ">=", "=<": "<=", "less than": "<", "greater than": ">", "under": "<",
                "below": "<", "<or=": "<=", ">or=": ">="}


def parse_number(text: str) -> str:
    """A written number as a plain decimal string: ``"2,257.80"`` → ``"2257.80"``, ``"0,47"`` → ``"0.47"``,
    ``"−0.45"`` → ``"-0.45"``, ``".03"`` → ``"0.03"``, ``"1 093"`` → ``"1093"``."""
    t = re.sub(r"[\s$]", "", text.replace("\\%", "").replace("%", ""))
    sign = "-" if t[:1] in "-−‒" else ""
    t = t.lstrip("-−‒").replace("·", ".")
    if "," in t:
        head, _, tail = t.rpartition(",")
        if "." in t or (len(tail) == 3 and not t.startswith("0,")):
            t = t.replace(",", "")  # thousands
        else:
            t = head.replace(",", "") + "." + tail  # a decimal comma
    if t.startswith("."):
        t = "0" + t
    return sign + t


def comparator(written: str) -> str:
    """``<``, ``<=``, ``>``, ``>=`` or ``=`` for a p-value comparator as written (``"less than"``, ``"≤"``)."""
    w = re.sub(r"\s+", " ", written.strip().lower())
    w = _COMPARATORS.get(w.replace(" ", "") if "or" in w else w, w)
    return w if w in ("<", "<=", ">", ">=", "=") else "="


def confidence_interval(text: str, at: int, bare: bool = True) -> re.Match | None:
    """A CI starting at ``text[at:]``: named ("95% CI 1.07–1.58", "[95% CI: 1.3 to 3.4]", "95% CI=0.24, 0.92") or,
    with ``bare``, two numbers in brackets right after a value ("(1.07, 1.58)", "(0.6-1.1)")."""
    m = CI_NAMED.match(text, at)
    if m is None and bare:
        m = CI_BARE.match(text, at)
    if m is None:
        return None
    lo, hi = float(parse_number(m["lo"])), float(parse_number(m["hi"]))
    return m if lo <= hi else None


def range_pattern(units: list[str]) -> re.Pattern:
    """ "18–65 years", "20 to 80 mg/d", "(24% to 40%)", "from 1.6 to 2.8", "between 20 and 40": a stated range;
    without "from"/"between" it needs a unit (``units``: regexes) or a percent sign."""
    unit = "|".join(units)
    lo, hi = rf"(?P<lo>{NUMBER})(?P<lp>{PCT})?", rf"(?P<hi>{NUMBER})(?P<hp>{PCT})?"
    return re.compile(
        rf"(?<![\w.,·/-])(?:(?P<cue>(?:rang(?:e|ed|ing)\s+)?from|between)\s+)?{lo}\s*"
        rf"(?(cue)(?:to|and|–|—|-)|(?:to|–|—|-)){GAP}{hi}(?:\s*(?P<unit>{unit}))?(?![\w.])",
        re.IGNORECASE,
    )
