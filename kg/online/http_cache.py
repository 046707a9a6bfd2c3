"""The disk cache of web-service answers: keyed by request, reused until it expires, kept when it is stale.

Why not :mod:`kg.cache`: that funnel stores registry packages by name and version, fetched with the registries' own
clients, and keeps them forever (a pinned version never changes). A web service's answer to a request is keyed by
the request, may change (a record gains MeSH headings, a PMID gains a PMC copy), and so expires. Why not
``requests-cache``: one JSON file per answer is all kg needs, and it keeps what PROV must record (when the answer
was fetched, from which URL) as plain fields, without a SQLite backend or another dependency. An expired entry is
not deleted: when the service cannot be reached, the stale answer is better than none (the client says so).

The key leaves out what identifies the caller rather than the question (``api_key``, ``email``, ``tool``), so a key
added later still hits, and no secret is written to disk.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kg.atomic import atomic_write_text

log = logging.getLogger(__name__)

#: Parameters that say who asks, not what: never part of a key, never stored.
CALLER_PARAMS = frozenset({"api_key", "email", "tool"})


@dataclass(frozen=True)
class Answer:
    """One HTTP answer as kg keeps it: the URL asked (caller parameters dropped), status, body and fetch time."""

    url: str
    status: int
    text: str
    fetched_at: str  # ISO 8601, UTC, seconds
    content_type: str = ""
    from_cache: bool = False

    @property
    def ok(self) -> bool:
        return self.status == 200

    def json(self) -> object:
        return json.loads(self.text)


def request_key(service: str, url: str, params: dict[str, str]) -> str:
    """A stable key of one request: the service, the URL and its question parameters in sorted order."""
    shown = sorted((k, str(v)) for k, v in params.items() if k not in CALLER_PARAMS)
    return hashlib.sha256(json.dumps([service, url, shown]).encode("utf-8")).hexdigest()


def public_url(url: str, params: dict[str, str]) -> str:
    """The URL of a request without caller parameters: what PROV records and what the cache stores."""
    from urllib.parse import urlencode

    shown = [(k, str(v)) for k, v in params.items() if k not in CALLER_PARAMS]
    return f"{url}?{urlencode(shown)}" if shown else url


class ResponseCache:
    """``root/<service>/<key[:2]>/<key>.json``; an entry older than ``max_age`` is stale (kept, not fresh)."""

    def __init__(self, root: Path, max_age: timedelta) -> None:
        self.root = Path(root)
        self.max_age = max_age

    def _path(self, service: str, key: str) -> Path:
        return self.root / service / key[:2] / f"{key}.json"

    def get(self, service: str, key: str) -> tuple[Answer, bool] | None:
        """``(answer, fresh)`` for a stored request, else ``None`` (an unreadable entry counts as absent)."""
        path = self._path(service, key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            answer = Answer(**{**data, "from_cache": True})
            fetched = datetime.fromisoformat(answer.fetched_at)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError) as err:
            log.debug("cache entry %s unreadable (%s); asking again", path, err)
            return None
        return answer, datetime.now(UTC) - fetched <= self.max_age

    def put(self, service: str, key: str, answer: Answer) -> None:
        """Store ``answer`` atomically (a killed run never leaves half an entry); a full disk only logs."""
        record = {k: v for k, v in asdict(answer).items() if k != "from_cache"}
        try:
            atomic_write_text(self._path(service, key), json.dumps(record, ensure_ascii=False))
        except OSError as err:
            log.warning("could not cache an answer of %s in %s (%s); it will be asked again", service, self.root,
                        err.strerror or err)


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
