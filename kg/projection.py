"""The property-graph projection of a kg RDF graph: what traversal, pictures and every non-RDF export read.

A raw triple dump (rdflib_to_networkx) turns literals, annotations and selectors into nodes; people walking a
knowledge graph want one node per thing and one edge per statement (conventions.md §3). So this reads the
store with SPARQL and builds a ``networkx.MultiDiGraph`` in the KGX shape:

* nodes: one per entity (has ``kg:category``), study (``biolink:Study`` family) and publication; keyed by CURIE;
* edges: one per reified ``biolink:Association`` (keyed by the association's CURIE) with predicate,
  qualifiers, statistics and evidence sentences as attributes; plus the links of studies and publications,
  keyed ``"<source> <property> <target>"``: every Biolink-predicate link (``biolink:mentions`` from documents
  to entities, kind ``mentions``), a study's intervention, comparator, population condition, outcomes, the
  publication reporting it and the review it was read from (kind ``study``), and CiTO citations between
  publications (kind ``citation``). Links the RDF states with schema.org, Dublin Core, SIO or kg: properties
  get a Biolink predicate (KGX requires one) and keep the RDF property as ``original_predicate``.

Attribute values are str, int, float, bool or lists of str; exporters flatten lists where a format needs it.
"""
from __future__ import annotations

import logging
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any, cast

from kg.graph.prefixes import compress, namespace
from kg.query import IRI, python_value

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph

log = logging.getLogger(__name__)

ENTITY, STUDY, PUBLICATION = "entity", "study", "publication"
MENTIONS = "mentions"
ASSOCIATION = "association"
CITATION = "citation"
MENTION_SENTENCES = 5  # evidence sentences kept per node: enough to read, small enough for a viewer page

_STUDY_TYPES = ("biolink:Study", "biolink:ClinicalTrial", "schema:MedicalStudy", "schema:MedicalTrial",
                "schema:MedicalObservationalStudy")
_PUBLICATION_TYPES = ("biolink:Publication", "biolink:Article", "biolink:JournalArticle", "fabio:ReviewArticle",
                      "fabio:JournalArticle", "fabio:Expression", "schema:ScholarlyArticle")
# RDF properties whose projected attribute has a fixed, readable name; all values of these are kept as lists.
_LIST_KEYS = {"rdf:type": "types", "skos:altLabel": "synonyms", "biolink:xref": "xref",
              "skos:exactMatch": "exact_match", "dcterms:source": "sources", "biolink:publications": "publications"}
_SCALAR_KEYS = {"rdfs:label": "label", "kg:category": "category", "kg:mentionCount": "mention_count",
                "dcterms:identifier": "identifier", "dcterms:title": "title"}
# Structural links of the reified statement: they are the edge itself, not attributes of it.
_EDGE_SKIP = {"rdf:type", "rdf:subject", "rdf:predicate", "rdf:object", "prov:wasDerivedFrom"}
# Links from a study or publication that the RDF states outside Biolink (kg/graph/facts.py writes them, the study
# table reads them): RDF property -> (Biolink predicate for KGX, what a reader sees on the edge). Biolink's Study
# is an Activity, so what it tests is ``has_input`` (conventions.md §1.3); a population's condition and an
# outcome have no narrower Biolink predicate than ``related_to``; being reported in a publication or discussed in
# a review is the inverse of ``mentions`` (IAO:0000142 "mentions"), and SIO:000628 "refers to" is narrower
# than ``mentions``.
_LINK_PREDICATES = {
    "schema:studySubject": ("biolink:has_input", "tests intervention"),
    "kg:comparator": ("biolink:has_input", "compared with"),
    "schema:healthCondition": ("biolink:related_to", "population with"),
    "dcterms:isReferencedBy": ("biolink:mentioned_by", "reported in"),
    "kg:fromDocument": ("biolink:mentioned_by", "reviewed in"),
    "SIO:000628": ("biolink:mentions", "mentions"),
}
_OUTCOME = ("kg:hasOutcome", "biolink:related_to", "reports outcome")
# A citation refers to the cited work, so Biolink's nearest predicate is ``mentions``; the CiTO property (its
# intent: cites, citesAsEvidence, ...) is kept as original_predicate and names the edge.
_CITATION_PREDICATE = "biolink:mentions"
# Study properties replaced by readable attributes (outcome texts, discussing sentences) instead of bare IRIs.
_REPLACED = {"kg:hasOutcome", "kg:discussedIn"}


def project(store: pyoxigraph.Store) -> nx.MultiDiGraph:
    """Build the projection of everything in ``store`` (the union of its named graphs)."""
    import networkx as nx

    g = nx.MultiDiGraph()
    q = _Querier(store)
    nodes = _node_kinds(q)
    attrs = _describe(q, nodes)
    for iri, kind in sorted(nodes.items()):
        g.add_node(_node_id(iri, attrs[iri]), **_node_attributes(iri, kind, attrs[iri]))
    by_iri = {data["iri"]: n for n, data in g.nodes(data=True)}
    _add_mention_sentences(q, g, by_iri)
    _add_discussing_sentences(q, g, by_iri)
    _add_associations(q, g, by_iri)
    _add_links(q, g, by_iri, nodes)
    _add_outcomes(q, g, by_iri)
    _add_citations(q, g, by_iri, nodes)
    log.info("projected %d nodes and %d edges", g.number_of_nodes(), g.number_of_edges())
    return g


class _Querier:
    """Runs SPARQL with the project prefixes over the union graph and returns rows of python values."""

    def __init__(self, store: pyoxigraph.Store) -> None:
        self.store = store
        used = ("rdf", "rdfs", "biolink", "kg", "oa", "prov", "skos", "dcterms", "schema", "fabio", "SIO", "cito")
        self.prologue = "".join(f"PREFIX {p}: <{namespace(p)}>\n" for p in used)

    def rows(self, sparql: str) -> list[tuple[Any, ...]]:
        # every query here is a SELECT, which pyoxigraph answers with QuerySolutions
        solutions = cast(
            "pyoxigraph.QuerySolutions", self.store.query(self.prologue + sparql, use_default_graph_as_union=True)
        )
        names = [v.value for v in solutions.variables]
        return [tuple(python_value(sol[n]) for n in names) for sol in solutions]


def as_list(value: Any) -> list[str]:
    """An attribute as a list of str whether it holds one value or several (``None``/"" is none)."""
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple, set)):
        return [str(v) for v in value]
    return [str(value)]


def _in(values: tuple[str, ...]) -> str:
    from kg.graph.prefixes import expand

    return " ".join(f"<{expand(v, strict=True)}>" for v in values)


def _node_kinds(q: _Querier) -> dict[str, str]:
    """IRI → kind; a node typed as both a publication and a study counts as a study."""
    kinds: dict[str, str] = {}
    for (n,) in q.rows(f"SELECT DISTINCT ?n WHERE {{ ?n a ?t VALUES ?t {{ {_in(_PUBLICATION_TYPES)} }} }}"):
        kinds[n] = PUBLICATION
    for (n,) in q.rows(f"SELECT DISTINCT ?n WHERE {{ ?n a ?t VALUES ?t {{ {_in(_STUDY_TYPES)} }} }}"):
        kinds[n] = STUDY
    for (n,) in q.rows("SELECT DISTINCT ?n WHERE { ?n kg:category ?c }"):
        kinds[n] = ENTITY
    # association ends outside the three kinds (e.g. an entity written by a later stage without kg:category)
    for (n,) in q.rows("SELECT DISTINCT ?n WHERE { ?e a biolink:Association . { ?e rdf:subject ?n } UNION "
                       "{ ?e rdf:object ?n } FILTER(isIRI(?n)) }"):
        kinds.setdefault(n, ENTITY)
    return kinds


def _describe(q: _Querier, nodes: dict[str, str]) -> dict[str, dict[str, list[Any]]]:
    """Every (property, value) of every projected node, grouped as CURIE-keyed value lists."""
    attrs: dict[str, dict[str, list[Any]]] = {iri: defaultdict(list) for iri in nodes}
    rows = q.rows("SELECT ?n ?p ?o WHERE { ?n ?p ?o . { ?n kg:category ?c } UNION { ?n a ?t . "
                  f"VALUES ?t {{ {_in(_PUBLICATION_TYPES + _STUDY_TYPES)} }} }} UNION {{ ?e a biolink:Association . "
                  "{ ?e rdf:subject ?n } UNION { ?e rdf:object ?n } } }")
    seen = set()
    biolink, cito = namespace("biolink"), namespace("cito")
    for n, p, o in rows:
        if n not in attrs or (n, p, o) in seen:
            continue
        seen.add((n, p, o))
        prop = compress(p)
        linked = p.startswith((biolink, cito)) and p != biolink + "publications" or prop in _LINK_PREDICATES
        if (linked and o in nodes) or (prop in _REPLACED and nodes[n] == STUDY):
            continue  # a core triple or a link between projected nodes: an edge, not an attribute
        attrs[n][prop].append(o)
    return attrs


def _node_id(iri: str, props: dict[str, list[Any]]) -> str:
    """The primary CURIE: dcterms:identifier when it is one (keeps unknown-prefix CURIEs), else the compressed IRI."""
    for ident in props.get("dcterms:identifier", []):
        if isinstance(ident, str) and not isinstance(ident, IRI) and re.match(r"^[A-Za-z][\w.]*:\S+$", ident) \
                and not ident.startswith("sha256:"):
            return ident
    return compress(iri)


def attribute_name(prop_curie: str) -> str:
    """A readable snake_case attribute name for an RDF property CURIE (``biolink:object_aspect_qualifier`` →
    ``object_aspect_qualifier``, ``schema:studySubject`` → ``schema_study_subject``)."""
    if prop_curie in _LIST_KEYS:
        return _LIST_KEYS[prop_curie]
    if prop_curie in _SCALAR_KEYS:
        return _SCALAR_KEYS[prop_curie]
    prefix, _, local = prop_curie.rpartition(":")
    local = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", local).lower()
    name = local if prefix in ("biolink", "kg") else f"{prefix}_{local}" if prefix else local
    return re.sub(r"[^0-9A-Za-z_]", "_", name)


def _value(v: Any) -> Any:
    return compress(v) if isinstance(v, IRI) else v


def _collapse(props: dict[str, list[Any]], skip: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for prop, values in sorted(props.items()):
        if prop in skip:
            continue
        vals = sorted({_value(v) for v in values}, key=lambda x: (str(type(x)), x))
        name = attribute_name(prop)
        out[name] = [str(v) for v in vals] if prop in _LIST_KEYS or len(vals) > 1 else vals[0]
    return out


def _node_attributes(iri: str, kind: str, props: dict[str, list[Any]]) -> dict[str, Any]:
    data = _collapse(props, set())
    data["iri"] = str(iri)
    data["kind"] = kind
    types = data.get("types", [])
    biolink = [t for t in types if t.startswith("biolink:") and t != "biolink:Association"]
    data["categories"] = biolink or ["biolink:NamedThing"]
    if kind != ENTITY or "category" not in data:
        data["category"] = kind if kind != ENTITY else _category_of(biolink)
    data.setdefault("label", data.get("title") or compress(iri))
    if isinstance(data["label"], list):
        data["label"] = data["label"][0]
    return data


def _category_of(biolink_types: list[str]) -> str:
    from kg.categories import CATEGORIES

    by_class = {f"biolink:{c.biolink}": c.name for c in CATEGORIES.values()}
    return next((by_class[t] for t in biolink_types if t in by_class), "concept")


def _add_mention_sentences(q: _Querier, g: nx.MultiDiGraph, by_iri: dict[str, str]) -> None:
    """The first sentences (in document order) each entity is mentioned in: evidence for nodes."""
    found: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for n, doc, start, text in q.rows("SELECT DISTINCT ?n ?d ?start ?text WHERE { ?a oa:hasBody ?n ; "
                                      "kg:inSentence ?s . ?s kg:text ?text ; kg:start ?start ; dcterms:isPartOf ?d }"):
        if n in by_iri:
            found[by_iri[n]].append((str(doc), int(start), text))
    for node, rows in found.items():
        g.nodes[node]["mention_sentences"] = [t for _, _, t in sorted(set(rows))[:MENTION_SENTENCES]]


def _add_associations(q: _Querier, g: nx.MultiDiGraph, by_iri: dict[str, str]) -> None:
    props: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for e, p, o in q.rows("SELECT DISTINCT ?e ?p ?o WHERE { ?e a biolink:Association ; ?p ?o }"):
        props[e][compress(p)].append(o)
    evidence: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for e, start, text in q.rows(
        "SELECT DISTINCT ?e ?start ?text WHERE { ?e a biolink:Association ; prov:wasDerivedFrom ?a . "
        "{ ?a kg:inSentence ?s . ?s kg:text ?text OPTIONAL { ?s kg:start ?start } } UNION "
        "{ ?a oa:hasTarget/oa:hasSelector ?sel . ?sel oa:exact ?text "
        "FILTER NOT EXISTS { ?a kg:inSentence ?any } } }"
    ):
        evidence[e].add((start if isinstance(start, int) else -1, text))
    stats: dict[str, set[str]] = defaultdict(set)
    for e, kind, value in q.rows("SELECT DISTINCT ?e ?t ?v WHERE { ?e a biolink:Association . "
                                 "?st SIO:000628 ?e ; a ?t ; SIO:000300 ?v }"):
        stats[e].add(f"{compress(kind)}={value}")
    for e in sorted(props):
        p = props[e]
        ends = [p.get("rdf:subject", []), p.get("rdf:predicate", []), p.get("rdf:object", [])]
        if not all(len(x) == 1 for x in ends) or ends[0][0] not in by_iri or ends[2][0] not in by_iri:
            log.warning("association %s lacks exactly one subject/predicate/object node; skipped", compress(e))
            continue
        data = _collapse(p, _EDGE_SKIP)
        predicate = compress(ends[1][0])
        data.update(iri=str(e), id=compress(e), kind=ASSOCIATION, predicate=predicate, label=predicate_label(predicate))
        data["evidence"] = [t for _, t in sorted(evidence.get(e, ()))]
        if e in stats:
            data["statistics"] = sorted(stats[e])
        g.add_edge(by_iri[ends[0][0]], by_iri[ends[2][0]], key=data["id"], **data)


def _add_links(q: _Querier, g: nx.MultiDiGraph, by_iri: dict[str, str], nodes: dict[str, str]) -> None:
    """Links from studies and publications: Biolink predicates (``biolink:mentions``, ``in_taxon``) and the
    properties of ``_LINK_PREDICATES``; a study's SIO "refers to" link is left out where a named link (its
    intervention, population, outcome) already joins the same two nodes."""
    biolink = namespace("biolink")
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for d, n, count in q.rows("SELECT ?d ?n (COUNT(DISTINCT ?a) AS ?c) WHERE { ?d biolink:mentions ?n . "
                              "OPTIONAL { ?a oa:hasBody ?n ; oa:hasTarget/oa:hasSource ?d } } GROUP BY ?d ?n"):
        counts[(d, n)] = int(count)
    named = ", ".join(_in(tuple(_LINK_PREDICATES)).split())
    rows = q.rows("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isIRI(?o) && (STRSTARTS(STR(?p), "
                  f'"{biolink}") || ?p IN ({named}))) }}')
    links = [(s, compress(p), o) for s, p, o in sorted(rows)
             if nodes.get(s) in (STUDY, PUBLICATION) and o in by_iri and p != biolink + "publications"]
    joined = {(s, o) for s, prop, o in links if prop != "SIO:000628"}
    joined |= set(q.rows("SELECT DISTINCT ?s ?e WHERE { ?s kg:hasOutcome/SIO:000628 ?e }"))
    for s, prop, o in links:
        if prop == "SIO:000628" and (s, o) in joined:
            continue
        source, target = by_iri[s], by_iri[o]
        predicate, label = _LINK_PREDICATES.get(prop, (prop, predicate_label(prop)))
        kind = MENTIONS if predicate == "biolink:mentions" else nodes[s]
        data: dict[str, Any] = {"id": f"{source} {prop} {target}", "kind": kind, "predicate": predicate,
                                "label": label}
        if prop != predicate:
            data["original_predicate"] = prop
        if prop == "biolink:mentions":
            data["mention_count"] = counts.get((s, o), 0)
        g.add_edge(source, target, key=data["id"], **data)


def _add_outcomes(q: _Querier, g: nx.MultiDiGraph, by_iri: dict[str, str]) -> None:
    """A study's outcomes as it states them: an ``outcomes`` attribute on the study (all of them, with their
    direction) and one ``reports outcome`` edge to each entity an outcome refers to."""
    prop, predicate, label = _OUTCOME
    texts: dict[str, dict[str, str]] = defaultdict(dict)
    ends: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for st, oc, text, direction, entity in q.rows(
        "SELECT DISTINCT ?st ?oc ?text ?dir ?e WHERE { ?st kg:hasOutcome ?oc OPTIONAL { ?oc rdfs:label ?text } "
        "OPTIONAL { ?oc kg:direction ?dir } OPTIONAL { ?oc SIO:000628 ?e } }"
    ):
        if st not in by_iri:
            continue
        shown = f"{text} ({direction})" if text and direction else str(text or direction or "")
        if shown:
            texts[by_iri[st]][oc] = shown
        if entity in by_iri:
            ends[(by_iri[st], by_iri[entity])][oc] = shown
    for study, outcomes in texts.items():
        g.nodes[study]["outcomes"] = sorted(set(outcomes.values()))
    for (study, entity), outcomes in sorted(ends.items()):
        key = f"{study} {prop} {entity}"
        g.add_edge(study, entity, key=key, id=key, kind=STUDY, predicate=predicate, original_predicate=prop,
                   label=label, outcome=sorted({t for t in outcomes.values() if t}))


def _add_citations(q: _Querier, g: nx.MultiDiGraph, by_iri: dict[str, str], nodes: dict[str, str]) -> None:
    """One edge from a citing publication (the review) to each work it cites, named by its most specific CiTO
    property (``cites as evidence`` over plain ``cites``), with the number of citation markers and the
    sentences they stand in as evidence."""
    cito = namespace("cito")
    intents: dict[tuple[str, str], set[str]] = defaultdict(set)
    for s, p, o in q.rows(f'SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?p), "{cito}")) }}'):
        if nodes.get(s) in (PUBLICATION, STUDY) and nodes.get(o) in (PUBLICATION, STUDY):
            intents[(by_iri[s], by_iri[o])].add(compress(p))
    markers: dict[tuple[str, str], set[str]] = defaultdict(set)
    sentences: dict[tuple[str, str], set[tuple[int, str]]] = defaultdict(set)
    for c, s, o, start, text in q.rows(
        "SELECT DISTINCT ?c ?s ?o ?start ?text WHERE { ?c cito:hasCitingEntity ?s ; cito:hasCitedEntity ?o "
        "OPTIONAL { ?c kg:inSentence ?sent . ?sent kg:text ?text OPTIONAL { ?sent kg:start ?start } } }"
    ):
        if s in by_iri and o in by_iri:
            markers[(by_iri[s], by_iri[o])].add(c)
            if text:
                sentences[(by_iri[s], by_iri[o])].add((start if isinstance(start, int) else -1, text))
    for (source, target), props in sorted(intents.items()):
        specific = sorted(props - {"cito:cites"}) or ["cito:cites"]
        key = f"{source} {specific[0]} {target}"
        g.add_edge(source, target, key=key, id=key, kind=CITATION, predicate=_CITATION_PREDICATE,
                   original_predicate=specific[0], label=predicate_label(specific[0]), citation_intent=sorted(props),
                   citation_count=len(markers.get((source, target), ())),
                   evidence=[t for _, t in sorted(sentences.get((source, target), ()))[:MENTION_SENTENCES]])


def _add_discussing_sentences(q: _Querier, g: nx.MultiDiGraph, by_iri: dict[str, str]) -> None:
    """Evidence for studies and publications, which no annotation names: the sentences that discuss a study
    (``kg:discussedIn``) and those that cite a publication (``kg:cites``), first in document order."""
    found: dict[str, set[tuple[str, int, str]]] = defaultdict(set)
    for n, doc, start, text in q.rows(
        "SELECT DISTINCT ?n ?d ?start ?text WHERE { { ?n kg:discussedIn ?s } UNION { ?s kg:cites ?n } "
        "?s kg:text ?text ; kg:start ?start ; dcterms:isPartOf ?d }"
    ):
        if n in by_iri and g.nodes[by_iri[n]]["kind"] != ENTITY:
            found[by_iri[n]].add((str(doc), int(start), text))
    for node, rows in found.items():
        g.nodes[node].setdefault("mention_sentences", [t for _, _, t in sorted(rows)[:MENTION_SENTENCES]])


def predicate_label(predicate: str) -> str:
    """``biolink:has_adverse_event`` → ``has adverse event``, ``cito:citesAsEvidence`` → ``cites as evidence``
    (what viewers print on an edge)."""
    local = predicate.rpartition(":")[2]
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: " " + m.group(1).lower(), local).replace("_", " ")
