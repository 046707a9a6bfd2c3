"""Zones, reference lists and citation markers in every common style, on excerpts and on the development reviews.

Excerpts are quoted (shortened) from the CC BY reviews in ``../shared/corpus/reviews/`` named beside each one.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.ingest import parse_review, read_review
from kg.ingest.author_year import parse_entry

ROOT = Path(__file__).resolve().parents[1]
REVIEWS = (ROOT / "../shared/corpus/reviews").resolve()
OCD = REVIEWS / "pdftext_ocd_etiology_neuropathology_2023.txt"
VMAT2 = REVIEWS / "pdftext_sr_vmat2_inhibitors_psychosis_2024.txt"
MICROBIOTA = REVIEWS / "pdftext_sr_microbiota_eating_disorders_2021.txt"
GPER = REVIEWS / "ocrmd_gper_cancer_therapeutic_target_2023.md"
HEAD_NECK = REVIEWS / "ocrmd_sr_head_neck_cancer_mental_health_2024.md"
needs_reviews = pytest.mark.skipif(not OCD.exists(), reason="../shared/corpus/reviews is not available")

_docs: dict[Path, object] = {}


def doc_of(path: Path):
    if path not in _docs:
        _docs[path] = read_review(path)
    return _docs[path]


def zone_text(doc, kind: str) -> list[str]:
    return [doc.text[s.start : s.end] for k, s in doc.zones if k == kind]


def block_texts(doc) -> list[str]:
    return [doc.text[b.span.start : b.span.end] for b in doc.blocks]


# -- reference entries, one per style ---------------------------------------------------------------------------

@pytest.mark.parametrize("entry, authors, year, journal, volume, pages, doi", [
    # APA (Jalal et al. 2023, OCD review)
    ("Abramovitch, A., Abramowitz, J. S., & Mittelman, A. (2013). The neuropsychology of adult obsessive-compulsive"
     " disorder: A meta-analysis. Clinical Psychology Review, 33(8), 1163–1171. https://doi.org/10.1016/j.cpr.2013."
     "09.004", ("Abramovitch A", "Abramowitz JS", "Mittelman A"), 2013, "Clinical Psychology Review", "33",
     "1163–1171", "10.1016/j.cpr.2013.09.004"),
    # Springer author–year (Connolly et al. 2024, VMAT-2 review)
    ("Ashcroft GW, Macdougall EJ, Barker PA (1961) A comparison of tetrabenazine and chlorpromazine in chronic "
     "schizophrenia. J Ment Sci 107:287–293", ("Ashcroft GW", "Macdougall EJ", "Barker PA"), 1961, "J Ment Sci",
     "107", "287–293", ""),
    # Vancouver (Carbone et al. 2021, microbiota review)
    ("Ursell LK, Metcalf JL, Parfrey LW, Knight R. Defining the human microbiome. Nutr Rev. 2012;70:S38–44. doi: "
     "10.1111/j.1753-4887.2012.00493.x.", ("Ursell LK", "Metcalf JL", "Parfrey LW", "Knight R"), 2012, "Nutr Rev",
     "70", "S38–44", "10.1111/j.1753-4887.2012.00493.x"),
    # MDPI (Hall & Filardo 2023, GPER review); the year in the title must not win
    ("Arnold, M.; Morgan, E.; Siesling, S.; et al. Current and future burden of breast cancer: Global statistics "
     "for 2020 and 2040. Breast 2022, 66, 15-23. [CrossRef]", ("Arnold M", "Morgan E", "Siesling S"), 2022,
     "Breast", "66", "15-23", ""),
    # Nature (constructed: authors with initials, year last)
    ("Smith, J., Lee, K. & Park, M. Dopamine release in mice. Nature 12, 1–10 (2019).",
     ("Smith J", "Lee K", "Park M"), 2019, "Nature", "12", "1–10", ""),
    # Harvard (constructed)
    ("Smith, J. and Jones, K. (2019) 'Striatal habits', Journal of Things, 5(2), pp. 1-9.",
     ("Smith J", "Jones K"), 2019, "Journal of Things", "", "", ""),
])
def test_entry_fields_in_each_style(entry, authors, year, journal, volume, pages, doi):
    f = parse_entry(entry)
    assert f["authors"] == authors and f["year"] == year and f["journal"] == journal and f["doi"] == doi
    if volume:
        assert (f["volume"], f["pages"]) == (volume, pages)


def test_identifiers_taken_out_of_an_entry():
    f = parse_entry("Doe J, Roe R. A title. J Test. 2020;1:2-3. PMID: 31166571; PMCID: PMC6551577. "
                    "doi:10.1001/x.2019.1")
    assert (f["pmid"], f["pmcid"], f["doi"]) == ("31166571", "PMC6551577", "10.1001/x.2019.1")


# -- small documents ---------------------------------------------------------------------------------------------

APA_DOC = """A review of habits

Abstract

Habits are linked to aberrant activity within CSTC circuits (Chamberlain et al., 2005, 2006a;
Lipszyc & Schachar, 2010). Gillan et al. (2011) showed devaluation deficits, e.g. (Smith 2019b, p. 4).
In 2019 nothing was cited, and (Nobody et al., 1999) is not in the list.

References

Chamberlain, S. R., Blackwell, A. D., & Fineberg, N. A. (2005). The neuropsychology of obsessive
compulsive disorder. Neuroscience & Biobehavioral Reviews, 29(3), 399–419.
Chamberlain, S. R., Fineberg, N. A., & Blackwell, A. D. (2006a). Motor inhibition and cognitive
flexibility. American Journal of Psychiatry, 163(7), 1282–1284.
Chamberlain, S. R., Fineberg, N. A., & Menzies, L. A. (2006b). Impaired cognitive flexibility.
American Journal of Psychiatry, 164(2), 335–338.
Gillan, C. M., Papmeyer, M., & Morein-Zamir, S. (2011). Disruption in the balance between goal-directed
behavior and habit learning. American Journal of Psychiatry, 168(7), 718–726.
Lipszyc, J., & Schachar, R. (2010). Inhibitory control and psychopathology. Journal of the
International Neuropsychological Society, 16(6), 1064–1076.
Smith, A. (2019a). First. Journal A, 1, 1–2.
Smith, A. (2019b). Second. Journal A, 1, 3–4.
"""


def test_author_year_markers_link_with_suffixes_and_two_author_rule():
    doc = parse_review(APA_DOC, "apa")
    assert len(doc.references) == 7
    assert [r.number for r in doc.references] == list(range(1, 8))
    assert doc.references[1].key == "chamberlain2006a" and doc.references[5].key == "smith2019a"
    by_key = {c.key: c for c in doc.citations}
    assert by_key["chamberlain 2005"].numbers == (1,)
    assert by_key["chamberlain 2006a"].numbers == (2,)
    assert by_key["lipszyc 2010"].numbers == (5,)
    assert by_key["gillan 2011"].numbers == (4,)
    assert by_key["smith 2019b"].numbers == (7,)
    assert not by_key["nobody 1999"].linked and by_key["nobody 1999"].unmatched == ("nobody 1999",)
    assert not any(c.key.startswith("in ") for c in doc.citations)  # "In 2019" is no citation
    # no block reads the reference list, and its zone covers it
    refs = [s for k, s in doc.zones if k == "references"]
    assert refs and all(b.span.end <= refs[0].start for b in doc.blocks)


PAREN_DOC = "Numbered in parentheses\n\nIntroduction\n\n" + " ".join(
    f"Claim {n} is supported (n = {n}) by work ({n}) and more ({n}, {n + 1})." for n in range(1, 13)
) + "\n\nReferences\n\n" + "\n".join(
    f"{n}. Author{chr(65 + n)} A, Other B. Title number {n}. J Test. 20{10 + n};{n}:1-{n + 1}." for n in range(1, 14)
) + "\n"


def test_numbered_in_parentheses_only_when_the_document_cites_so():
    doc = parse_review(PAREN_DOC, "paren")
    assert len(doc.references) == 13
    texts = [doc.text[c.span.start : c.span.end] for c in doc.citations]
    assert "(3)" in texts and "(3, 4)" in texts
    assert not any(t.startswith("(n") for t in texts)
    assert all(c.linked for c in doc.citations)
    # the same markers with a bracket-cited document stay unread as citations
    brackets = PAREN_DOC.replace("by work (", "by work [").replace(") and more", "] and more")
    doc2 = parse_review(brackets, "brackets")
    assert not any(doc2.text[c.span.start] == "(" for c in doc2.citations)


def test_year_and_count_parentheses_are_not_numbered_citations():
    text = PAREN_DOC.replace("by work (", "in the year (19").replace(") and more (", ") and more (19")
    doc = parse_review(text, "years")
    assert not any(doc.text[c.span.start] == "(" for c in doc.citations)


# -- the development reviews --------------------------------------------------------------------------------------

@needs_reviews
def test_ocd_review_apa_list_and_markers():
    doc = doc_of(OCD)
    listed = doc.text[doc.text.rindex("REFERENCES"): doc.text.index("How to cite this article")]
    true_count = len(re.findall(r"\((?:19|20)\d\d[a-z]?\)\.", listed))  # one "(year)." per APA entry: 191
    assert abs(len(doc.references) - true_count) <= 0.05 * true_count
    authored = [c for c in doc.citations if c.style == "author-year"]
    assert len(authored) > 200
    assert sum(c.linked for c in authored) >= 0.9 * len(authored)
    abram = next(r for r in doc.references if r.key == "abramovitch2013")
    assert abram.doi == "10.1016/j.cpr.2013.09.004" and abram.journal == "Clinical Psychology Review"


@needs_reviews
def test_vmat2_review_author_year_without_comma():
    doc = doc_of(VMAT2)
    assert 70 <= len(doc.references) <= 80
    authored = [c for c in doc.citations if c.style == "author-year"]
    assert len(authored) >= 60 and sum(c.linked for c in authored) >= 0.9 * len(authored)
    zipursky = [c for c in authored if c.key == "zipursky 2014"]
    assert zipursky and all(doc.references[c.numbers[0] - 1].authors[0] == "Zipursky RB" for c in zipursky)


@needs_reviews
@pytest.mark.parametrize("path, heads", [
    (OCD, ("JALAL ET AL.", "2 of 18")),
    (VMAT2, ("Psychopharmacology (2024) 241:225–241",)),
    (MICROBIOTA, ("European Psychiatry", "Elvira Anna Carbone et al.")),
])
def test_running_heads_and_page_numbers_are_in_no_block(path, heads):
    doc = doc_of(path)
    furniture = zone_text(doc, "running_head") + zone_text(doc, "page_number")
    for head in heads:
        assert any(head in t for t in furniture), head
        assert not any(t.strip() == head for t in block_texts(doc)), head


@needs_reviews
@pytest.mark.parametrize("path", [OCD, VMAT2, MICROBIOTA, GPER, HEAD_NECK])
def test_no_block_overlaps_the_reference_list_or_front_matter(path):
    doc = doc_of(path)
    kept_out = [s for k, s in doc.zones if k in ("references", "front_matter", "back_matter", "running_head")]
    assert any(k == "references" for k, _ in doc.zones)
    for b in doc.blocks:
        assert not any(b.span.start < s.end and s.start < b.span.end for s in kept_out), doc.text[b.span.start:][:80]
    assert not any("@" in t and "." in t.split("@")[-1] for t in block_texts(doc))  # no e-mail address is read


@needs_reviews
@pytest.mark.parametrize("path, count", [(MICROBIOTA, 112), (GPER, 213), (HEAD_NECK, 104)])
def test_numbered_lists_are_complete_and_markers_link(path, count):
    doc = doc_of(path)
    assert [r.number for r in doc.references] == list(range(1, count + 1))
    assert all(r.year for r in doc.references[:20])
    assert len(doc.citations) >= 50 and all(c.linked for c in doc.citations)


@needs_reviews
def test_head_and_neck_review_cites_numbers_in_parentheses():
    doc = doc_of(HEAD_NECK)
    texts = {doc.text[c.span.start : c.span.end]: c.numbers for c in doc.citations}
    assert texts["(3,4)"] == (3, 4) and texts["(10)"] == (10,)
    assert doc.references[0].authors[0] == "Sung H" and doc.references[0].doi == "10.3322/caac.21660"


@needs_reviews
def test_microbiota_entries_wrapped_over_lines_are_joined():
    doc = doc_of(MICROBIOTA)
    ref = doc.references[32]  # [33] runs over a page break with a running head inside
    assert ref.number == 33 and ref.doi == "10.1002/eat.22801" and "European Psychiatry" not in ref.text
    assert ref.text.endswith("eat.22801.")
