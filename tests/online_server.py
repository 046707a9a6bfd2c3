"""A local HTTP server that answers as E-utilities, the PMC ID converter, PMC's BioC API, PubTator3 and OLS4 do,
from the recorded answers in tests/fixtures/online/, in each API's documented response format.

It logs every request (service, path, parameters, monotonic time) so tests can count requests (a cached build
makes none) and measure their spacing (rate limits); ``fail`` makes a path answer a status (429 with
``Retry-After``, 503) a number of times first.
"""
from __future__ import annotations

import json
import re
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "online"
PREFIXES = {"eutils": "/eutils/", "idconv": "/idconv/", "bioc": "/bioc/", "pubtator": "/pubtator/", "ols": "/ols/"}


@dataclass
class Logged:
    service: str
    path: str
    params: dict[str, str]
    at: float
    headers: dict[str, str]


@dataclass
class Recorded:
    """The recorded answers, loaded once."""

    pubmed: dict[str, str] = field(default_factory=dict)  # PMID -> <PubmedArticle> XML
    idconv: list[dict] = field(default_factory=list)
    esearch: dict[str, list[str]] = field(default_factory=dict)
    pubtator: dict[str, dict] = field(default_factory=dict)
    ols: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Recorded:
        root = ET.parse(FIXTURES / "pubmed.xml").getroot()
        pubmed = {a.findtext("MedlineCitation/PMID") or "": ET.tostring(a, encoding="unicode")
                  for a in root.iter("PubmedArticle")}
        return cls(
            pubmed=pubmed,
            idconv=json.loads((FIXTURES / "idconv.json").read_text("utf-8"))["records"],
            esearch=json.loads((FIXTURES / "esearch.json").read_text("utf-8")),
            pubtator={d["id"]: d for d in json.loads((FIXTURES / "pubtator3.json").read_text("utf-8"))},
            ols=json.loads((FIXTURES / "ols.json").read_text("utf-8")),
        )


class FakeServices:
    """``with FakeServices() as s: s.env`` gives the KG_*_URL variables pointing at it."""

    def __init__(self) -> None:
        self.recorded = Recorded.load()
        self.log: list[Logged] = []
        self.failures: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                outer._handle(self)

            def log_message(self, format: str, *args) -> None:  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def env(self) -> dict[str, str]:
        return {f"KG_{k.upper()}_URL": self.base + prefix for k, prefix in PREFIXES.items()}

    def fail(self, service: str, status: int, times: int, headers: dict[str, str] | None = None) -> None:
        self.failures.setdefault(service, []).extend([(status, headers or {})] * times)

    def requests_to(self, service: str) -> list[Logged]:
        return [r for r in self.log if r.service == service]

    def __enter__(self) -> FakeServices:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- answering ---------------------------------------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlparse(handler.path)
        params = {k: v[-1] for k, v in parse_qs(url.query).items()}
        service = next((k for k, p in PREFIXES.items() if url.path.startswith(p)), "")
        with self.lock:
            self.log.append(Logged(service, url.path, params, time.monotonic(), dict(handler.headers)))
            queued = self.failures.get(service)
            failure = queued.pop(0) if queued else None
        if failure is not None:
            status, headers = failure
            self._send(handler, status, "text/plain", f"recorded failure {status}", headers)
            return
        path = url.path[len(PREFIXES[service]):] if service else url.path
        answer = getattr(self, f"_{service}", None) if service else None
        status, kind, body = answer(path, params) if answer else (404, "text/plain", "no such service")
        self._send(handler, status, kind, body)

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, kind: str, body: str,
              headers: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            handler.send_header(k, v)
        handler.end_headers()
        handler.wfile.write(data)

    def _eutils(self, path: str, params: dict[str, str]) -> tuple[int, str, str]:
        if path == "efetch.fcgi":
            ids = params.get("id", "").split(",")
            body = "\n".join(self.recorded.pubmed[i] for i in ids if i in self.recorded.pubmed)
            xml = f'<?xml version="1.0" ?>\n<PubmedArticleSet>\n{body}\n</PubmedArticleSet>\n'
            return 200, "text/xml; charset=UTF-8", xml
        if path == "esearch.fcgi":
            m = re.fullmatch(r'"(.+)"\[doi\]', params.get("term", ""))
            ids = self.recorded.esearch.get(m[1], []) if m else []
            result = {"header": {"type": "esearch", "version": "0.3"},
                      "esearchresult": {"count": str(len(ids)), "retmax": str(len(ids)), "retstart": "0",
                                        "idlist": ids, "translationset": [],
                                        "querytranslation": params.get("term", "")}}
            return 200, "application/json; charset=UTF-8", json.dumps(result)
        return 404, "text/plain", "unknown E-utility"

    def _idconv(self, path: str, params: dict[str, str]) -> tuple[int, str, str]:
        kind = params.get("idtype", "")
        records = []
        for value in params.get("ids", "").split(","):
            hit = next((r for r in self.recorded.idconv if str(r.get(kind, "")).casefold() == value.casefold()), None)
            records.append({**hit, "requested-id": value} if hit else
                           {kind: value, "requested-id": value, "status": "error",
                            "errmsg": "Identifier not found in PMC"})
        answer = {"status": "ok", "responseDate": "2026-01-15 10:00:00",
                  "request": f"ids={params.get('ids', '')};idtype={kind};format=json", "records": records}
        return 200, "application/json", json.dumps(answer)

    def _bioc(self, path: str, params: dict[str, str]) -> tuple[int, str, str]:
        m = re.fullmatch(r"BioC_json/(PMC\d+)/unicode", path)
        file = FIXTURES / "bioc" / f"{m[1]}.json" if m else None
        if file is None or not file.exists():  # the BioC API's answer for an article outside the OA subset
            return 200, "text/html", f"[Error] : No result can be found. <BR><HR><B> - Fail to get the PMCID ({path})"
        return 200, "application/json", file.read_text("utf-8")

    def _pubtator(self, path: str, params: dict[str, str]) -> tuple[int, str, str]:
        if path != "publications/export/biocjson":
            return 404, "text/plain", "unknown PubTator3 endpoint"
        docs = [self.recorded.pubtator[p] for p in params.get("pmids", "").split(",") if p in self.recorded.pubtator]
        return 200, "application/json", json.dumps({"PubTator3": docs})

    def _ols(self, path: str, params: dict[str, str]) -> tuple[int, str, str]:
        if path != "search":
            return 404, "application/json", json.dumps({"error": "Not Found"})
        empty = {"responseHeader": {"status": 0}, "response": {"numFound": 0, "start": 0, "docs": []}}
        return 200, "application/json", json.dumps(self.recorded.ols.get(params.get("q", "").lower(), empty))
