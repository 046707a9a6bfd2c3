"""`kg build --online`, `kg compare --pubtator` and `kg resolve --online` against a local server that answers as
E-utilities, the PMC ID converter, PMC's BioC API, PubTator3 and OLS4 do (tests/online_server.py), from recorded
answers built from the sample review (tests/fixtures/online/README.md). Nothing here touches the internet.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from online_server import FakeServices

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "corpus" / "esketamine_review.txt"
needs_sample = pytest.mark.skipif(not SAMPLE.exists(), reason="../shared/corpus is not present")
SERVICE_NAMES = ("NCBI E-utilities", "PMC ID Converter", "PMC BioC API", "PubTator3", "EBI OLS4")


def _env(server: FakeServices | None, cache: Path, **extra: str) -> dict[str, str]:
    env = {"KG_OFFLINE": "0", "KG_CACHE_DIR": str(cache), "KG_ONLINE_BACKOFF": "0.05", **extra}
    return {**env, **(server.env if server is not None else {})}


def kg(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, env={**os.environ, **(env or {})})


def _quads(out: Path) -> list[str]:
    return (out / "graph.nq").read_text("utf-8").splitlines()


@pytest.fixture(scope="module")
def online_build(tmp_path_factory):
    """One server, one cache: a full --online --follow-citations build of PMC9999901, then the same build again."""
    tmp = tmp_path_factory.mktemp("online")
    with FakeServices() as server:
        env = _env(server, tmp / "cache")
        first = kg("build", "PMC9999901", "-o", tmp / "out", "--online", "--follow-citations", env=env)
        assert first.returncode == 0, first.stderr
        sent = len(server.log)
        second = kg("build", "PMC9999901", "-o", tmp / "again", "--online", "--follow-citations", env=env)
        assert second.returncode == 0, second.stderr
        yield {"out": tmp / "out", "again": tmp / "again", "first": first, "second": second, "server": server,
               "sent": sent, "env": env}


# -- identifiers as inputs ---------------------------------------------------------------------------------------


def test_identifiers_parse_and_files_win(tmp_path):
    from kg.online.identifiers import parse_identifier, split_inputs

    assert parse_identifier("PMC12988702").value == "PMC12988702"
    assert parse_identifier("PMID:31230464").value == "31230464"
    assert parse_identifier("doi:10.1176/appi.ajp.2019.18101123").value == "10.1176/appi.ajp.2019.18101123"
    assert parse_identifier("https://doi.org/10.5555/x.1").kind == "doi"
    assert parse_identifier("31230464") is None  # a bare number may be a file name
    named = tmp_path / "PMC123"
    named.write_text("a review", "utf-8")
    assert split_inputs([named], online=False) == ([named], [])


def test_identifier_without_online_is_one_line_exit_2(tmp_path):
    done = kg("build", "PMC9999901", "-o", tmp_path / "out")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "--online" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


# -- the online build ----------------------------------------------------------------------------------------------


@needs_sample
def test_review_is_built_from_pmc_bioc_with_provenance(online_build):
    out, server = online_build["out"], online_build["server"]
    assert [r.path for r in server.requests_to("bioc")] == ["/bioc/BioC_json/PMC9999901/unicode"]
    quads = _quads(out)
    graph = "<https://w3id.org/kg-review/graph/doc/PMC9999901>"
    doc = "<https://w3id.org/kg-review/doc/PMC9999901>"
    mine = [q for q in quads if q.endswith(f"{graph} .")]
    assert any(q.startswith(f"{doc} <http://purl.org/dc/terms/title> \"Evaluation of Current Evidence") for q in mine)
    derived = [q for q in mine if q.startswith(f"{doc} <http://www.w3.org/ns/prov#wasDerivedFrom>")]
    assert len(derived) == 1 and "/bioc/BioC_json/PMC9999901/unicode" in derived[0]
    assert any("prov#endedAtTime" in q and "XMLSchema#dateTime" in q for q in mine)
    assert "SHACL        conforms" in online_build["first"].stdout
    assert any("annotation" in q.lower() for q in mine)  # the NER ran over the fetched text


@needs_sample
def test_references_gain_pmids_and_mesh_but_never_a_disagreeing_one(online_build):
    from kg.vocabulary.mesh import mesh_descriptors

    quads = _quads(online_build["out"])
    review = [q for q in quads if q.endswith("<https://w3id.org/kg-review/graph/doc/PMC9999901> .")]
    cited = {q.split()[2] for q in review if "<http://purl.org/spar/cito/cites>" in q}
    pubmed = "http://www.ncbi.nlm.nih.gov/pubmed/"
    # 1, 2, 4, 8 through the ID converter, 3 through esearch, 6 had its PMID in the review
    for n in (1, 2, 3, 4, 6, 8):
        assert f"<{pubmed}999990{n:02d}>" in cited
    assert f"<{pubmed}99999007>" not in cited  # esearch's PMID for ref 7 carries another DOI: not used
    assert f"<{pubmed}99999005>" not in cited  # unknown to every service
    assert "<https://doi.org/10.5555/kg.online.ref.7>" in cited
    heading = {h: ui for ui, h in mesh_descriptors().items()}["Depressive Disorder, Treatment-Resistant"]
    assert f"<{pubmed}99999001> <http://purl.org/dc/terms/subject> <http://id.nlm.nih.gov/mesh/{heading}>" in \
        "\n".join(review)
    pmcid = [q for q in review if q.startswith(f"<{pubmed}99999004> <http://purl.org/spar/fabio/hasPubMedCentralId>")]
    assert pmcid and '"PMC9999904"' in pmcid[0]
    assert "refs filled  6" in online_build["first"].stdout


@needs_sample
def test_followed_citations_are_their_own_graphs_linked_from_the_review(online_build):
    quads = _quads(online_build["out"])
    pubmed = "http://www.ncbi.nlm.nih.gov/pubmed/"
    for pmid in ("99999001", "99999002", "99999003"):
        graph = f"<https://w3id.org/kg-review/graph/doc/{pmid}>"
        assert any(q.endswith(f"{graph} .") for q in quads), pmid
        assert (f"<{pubmed}{pmid}> <http://www.w3.org/2000/01/rdf-schema#seeAlso> "
                f"<https://w3id.org/kg-review/doc/{pmid}>") in "\n".join(quads)
    # ref 2 is not in PubTator3: its abstract came from PubMed's record, fetched once for completion already
    derived = [q for q in quads if q.startswith("<https://w3id.org/kg-review/doc/99999002> "
                                                "<http://www.w3.org/ns/prov#wasDerivedFrom>")]
    assert derived and "efetch.fcgi" in derived[0]
    efetches = online_build["server"].requests_to("eutils")
    assert sum(r.path.endswith("efetch.fcgi") for r in efetches[:online_build["sent"]]) == 1
    assert "followed     6" in online_build["first"].stdout


@needs_sample
def test_the_documented_query_sets_claims_beside_the_cited_studies(online_build, tmp_path):
    from kg.query import run_query

    doc = (ROOT / "docs" / "online.md").read_text("utf-8")
    query = tmp_path / "claims.rq"
    query.write_text(doc.split("```sparql\n", 1)[1].split("```", 1)[0], "utf-8")
    records = run_query(online_build["out"], query).records()
    cited = {r["citedDoc"] for r in records}
    assert {"doc:99999001", "doc:99999003", "doc:99999006"} <= cited
    assert any(r["edge"] for r in records if r["citedDoc"] == "doc:99999003")  # the cited abstract's own claims


@needs_sample
def test_second_build_asks_nothing_and_is_identical(online_build):
    assert len(online_build["server"].log) == online_build["sent"]
    assert (online_build["out"] / "graph.nq").read_bytes() == (online_build["again"] / "graph.nq").read_bytes()


@needs_sample
def test_requests_keep_each_services_rate_and_say_who_asks(online_build):
    server = online_build["server"]
    for service, per_second in (("eutils", 3.0), ("pubtator", 3.0), ("idconv", 3.0)):
        times = [r.at for r in server.requests_to(service)]
        gaps = [b - a for a, b in zip(times, times[1:])]
        assert all(g >= 1 / per_second - 0.02 for g in gaps), (service, gaps)
    assert len(server.requests_to("eutils")) >= 3
    agent = server.log[0].headers.get("User-Agent", "")
    assert agent.startswith("kg/")
    assert all(r.params.get("tool") == "kg" for r in server.requests_to("eutils"))


# -- the client: retries, failures, cache --------------------------------------------------------------------------


def _client(server: FakeServices | None, cache: Path, sleeps: list[float], **settings):
    from kg.online.client import OnlineClient
    from kg.settings import OnlineSettings

    urls = {f"{k}_url": v + "/" for k, v in {
        "eutils": f"{server.base}/eutils", "idconv": f"{server.base}/idconv", "bioc": f"{server.base}/bioc",
        "pubtator": f"{server.base}/pubtator", "ols": f"{server.base}/ols"}.items()} if server else {}
    return OnlineClient(OnlineSettings(**{**urls, **settings}), cache, sleep=sleeps.append)


def test_429_is_retried_after_retry_after(tmp_path):
    from kg.online.idconv import convert

    sleeps: list[float] = []
    with FakeServices() as server:
        server.fail("idconv", 429, 2, {"Retry-After": "2"})
        client = _client(server, tmp_path, sleeps, backoff=0.01)
        found = convert(client, "pmcid", ["PMC9999901"])
    assert found["PMC9999901"].pmid == "99999901"
    assert len(server.requests_to("idconv")) == 3
    assert sleeps.count(2.0) == 2  # waited as told, twice, before the answer came
    assert client.warnings() == []


def test_a_5xx_storm_fails_the_service_once_and_keeps_the_others(tmp_path):
    from kg.online.client import ServiceUnavailable
    from kg.online.eutils import fetch_records
    from kg.online.ols import search

    sleeps: list[float] = []
    with FakeServices() as server:
        server.fail("eutils", 503, 50)
        client = _client(server, tmp_path, sleeps, retries=2, backoff=0.01)
        with pytest.raises(ServiceUnavailable):
            fetch_records(client, ["99999001"])
        with pytest.raises(ServiceUnavailable):  # skipped at once: no new request
            fetch_records(client, ["99999002"])
        assert len(server.requests_to("eutils")) == 3
        assert [c.curie for c in search(client, "kgtestamine")][:1] == ["CHEBI:999999901"]
    lines = client.warnings()
    assert len(lines) == 1 and lines[0].startswith("NCBI E-utilities") and "HTTP 503" in lines[0]
    assert 0.01 in sleeps and 0.02 in sleeps  # exponential backoff (the rest are rate-limit waits)


def test_cache_expires_and_a_stale_answer_beats_none(tmp_path):
    from kg.online.eutils import fetch_records

    sleeps: list[float] = []
    with FakeServices() as server:
        fetch_records(_client(server, tmp_path, sleeps), ["99999001"])
        expired = _client(server, tmp_path, sleeps, cache_days=0)
        assert fetch_records(expired, ["99999001"])["99999001"].title
        assert len(server.requests_to("eutils")) == 2  # expired: asked again
        server.fail("eutils", 503, 50)
        down = _client(server, tmp_path, sleeps, cache_days=0, retries=0)
        assert fetch_records(down, ["99999001"])["99999001"].pmid == "99999001"
    assert "past their expiry" in down.warnings()[0]


def test_offline_switch_answers_from_the_cache_only(tmp_path):
    from kg.online.client import OnlineClient, ServiceUnavailable
    from kg.online.eutils import fetch_records
    from kg.settings import OnlineSettings

    with FakeServices() as server:
        settings = OnlineSettings(eutils_url=server.base + "/eutils/")
        fetch_records(OnlineClient(settings, tmp_path), ["99999001"])
        offline = OnlineClient(settings, tmp_path, offline=True)
        assert "99999001" in fetch_records(offline, ["99999001"])
        with pytest.raises(ServiceUnavailable, match="KG_OFFLINE=1"):
            fetch_records(offline, ["99999002"])
        assert len(server.log) == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@needs_sample
def test_closed_port_builds_the_offline_graph_with_one_warning_per_service(tmp_path):
    closed = f"http://127.0.0.1:{_closed_port()}/"
    urls = {f"KG_{k}_URL": closed for k in ("EUTILS", "IDCONV", "BIOC", "PUBTATOR", "OLS")}
    done = kg("build", SAMPLE, "PMC9999901", "-o", tmp_path / "out", "--online", "--follow-citations",
              env=_env(None, tmp_path / "cache", **urls))
    assert done.returncode == 0, done.stderr
    assert "documents    1" in done.stdout and "SHACL        conforms" in done.stdout
    lines = [line for line in done.stderr.splitlines() if "could not be reached" in line]
    named = [next(n for n in SERVICE_NAMES if n in line) for line in lines]
    assert len(named) == len(set(named)) >= 3 and "connection refused" in lines[0]
    assert "Traceback" not in done.stderr
    offline = kg("build", SAMPLE, "-o", tmp_path / "offline")
    assert offline.returncode == 0
    assert done.stdout.split("triples")[1].split()[0] == offline.stdout.split("triples")[1].split()[0]


# -- compare and resolve ---------------------------------------------------------------------------------------------


@needs_sample
def test_compare_with_pubtator_lists_agreements_and_differences(online_build):
    done = kg("compare", online_build["out"], "--pubtator", env=online_build["env"])
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = lines.index("pmid\tstatus\tours\ttheirs\tlabel\tcategory")
    rows = [line.split("\t") for line in lines[header + 1:]]
    statuses = {r[1] for r in rows}
    assert statuses <= {"agree", "ours_only", "theirs_only"} and "agree" in statuses
    assert all(r[2] != "-" for r in rows if r[1] != "theirs_only")
    assert all(r[3] != "-" for r in rows if r[1] != "ours_only")
    assert any(r[1] == "agree" and r[3].startswith("MESH:") for r in rows)
    assert all(line.startswith("# PMID ") for line in lines[:header])


def test_compare_without_pubtator_flag_is_exit_2(tmp_path):
    done = kg("compare", tmp_path)
    assert done.returncode == 2 and "--pubtator" in done.stderr


def test_resolve_prints_local_candidates_then_ols(tmp_path):
    with FakeServices() as server:
        done = kg("resolve", "kgtestamine", "--online", env=_env(server, tmp_path))
        local = kg("resolve", "ketamine", env=_env(server, tmp_path))
        assert len(server.log) == 1  # without --online nothing is sent
    assert done.returncode == 0, done.stderr
    rows = [line.split("\t") for line in done.stdout.splitlines()]
    assert rows[0][:3] == ["CHEBI:999999901", "kgtestamine", "OLS:chebi"] and float(rows[0][3]) == 1.0
    assert float(rows[1][3]) < 1.0
    assert local.returncode == 0
    first = local.stdout.splitlines()[0].split("\t")
    assert first[1].lower() == "ketamine" and first[2].startswith("local:") and first[3] == "1.00"
