"""The one HTTP client every online feature goes through: timeouts, retries, rate limits, cache, offline switch.

Every request names its :class:`Service`, so each service keeps its own published rate limit (E-utilities 3/s, or
10/s with an API key; PubTator3 3/s) and its own failure state: once a service has failed (no network, a closed
port, a storm of 429/5xx outlasting the retries) the rest of the run skips it at once, and the caller prints one
line per service (:meth:`OnlineClient.warnings`) instead of one per request. 429 and 5xx answers are retried with
exponential backoff, honouring ``Retry-After``; answers (200 and 404) are cached on disk
(:mod:`kg.online.http_cache`), so a second build asks nothing. ``offline`` (``KG_OFFLINE=1``) turns every cache
miss into that service's failure. Tests point the base URLs at a local server; nothing here knows it is tested.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kg.errors import KGError
from kg.online.http_cache import Answer, ResponseCache, now_iso, public_url, request_key
from kg.settings import OFFLINE_ENV, OnlineSettings

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

T = TypeVar("T")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: The longest wait a ``Retry-After`` may impose; a longer one means "not today", so the service counts as failed.
MAX_RETRY_AFTER = 120.0


class ServiceUnavailable(KGError):
    """A service could not answer (no network, refused, timed out, kept failing, or offline mode)."""

    def __init__(self, service: Service, reason: str) -> None:
        super().__init__(f"{service.name} ({service.base_url}) could not be reached: {reason}")
        self.service, self.reason = service, reason


@dataclass(frozen=True)
class Service:
    """One web service: ``key`` names its cache folder, ``per_second`` its published request limit."""

    key: str
    name: str
    base_url: str
    per_second: float

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + "/" + path.lstrip("/") if path else self.base_url


def services(settings: OnlineSettings) -> dict[str, Service]:
    """The services kg uses, with their limits: NCBI's (E-utilities, ID converter, BioC) are 3/s without an API
    key and 10/s with one for E-utilities; PubTator3 asks for at most 3/s; OLS publishes none, so kg keeps to 5/s."""
    eutils_rate = 10.0 if settings.ncbi_api_key else 3.0
    return {s.key: s for s in (
        Service("eutils", "NCBI E-utilities", settings.eutils_url, eutils_rate),
        Service("idconv", "PMC ID Converter", settings.idconv_url, 3.0),
        Service("bioc", "PMC BioC API", settings.bioc_url, 3.0),
        Service("pubtator", "PubTator3", settings.pubtator_url, 3.0),
        Service("ols", "EBI OLS4", settings.ols_url, 5.0),
    )}


class _RateLimit:
    """At most ``per_second`` requests a second as the service sees them: each request starts ``1/per_second``
    after the previous one *ended*, so network delays can never bunch two arrivals closer than the limit."""

    def __init__(self, per_second: float, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.clock, self.sleep = clock, sleep
        self.last: float | None = None
        self.lock = threading.Lock()

    def wait(self) -> None:
        with self.lock:
            now = self.clock()
            if self.last is not None and now - self.last < self.interval:
                self.sleep(self.interval - (now - self.last))
                now = self.clock()
            self.last = now

    def done(self) -> None:
        with self.lock:
            self.last = self.clock()


def retry_after(value: str | None, default: float) -> float:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), else ``default``."""
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    from datetime import UTC, datetime

    return max(0.0, (when - datetime.now(UTC)).total_seconds()) if when.tzinfo else default


def user_agent(contact: str) -> str:
    """``kg/<version> (review knowledge graph; mailto:contact)``: NCBI and EBI ask programs to say who they are."""
    from kg.graph.build import kg_version

    who = f"; mailto:{contact}" if contact else "; set KG_CONTACT to give a contact e-mail"
    return f"kg/{kg_version()} (review knowledge graph{who})"


class OnlineClient:
    """Asks the services of :func:`services`; one instance per run (it remembers which services failed).

    ``session``, ``sleep`` and ``clock`` are seams for callers that bring their own (a test counting waits);
    by default a ``requests.Session`` and the real clock.
    """

    def __init__(self, settings: OnlineSettings, cache_dir: Path, *, offline: bool = False, progress: bool = False,
                 session: requests.Session | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings, self.offline, self.progress = settings, offline, progress
        self.services = services(settings)
        self.cache = ResponseCache(cache_dir, timedelta(days=settings.cache_days))
        self._session = session
        self.sleep, self.clock = sleep, clock
        self._limits = {k: _RateLimit(s.per_second, clock, sleep) for k, s in self.services.items()}
        self.failed: dict[str, str] = {}  # service key -> the first reason it failed
        self.stale: dict[str, int] = {}  # service key -> answers reused past their expiry because it failed
        self.requests = 0  # HTTP requests actually sent (a cached build sends none)

    @classmethod
    def from_settings(cls, settings: Any = None, **kwargs: Any) -> OnlineClient:
        """A client from :class:`~kg.settings.Settings` (default: the environment's)."""
        from kg.settings import Settings

        settings = settings or Settings.from_env()
        return cls(settings.online, settings.cache_dir / "online", offline=settings.offline, **kwargs)

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            requests = _requests()
            self._session = requests.Session()
            self._session.headers["User-Agent"] = user_agent(self.settings.contact)
        return self._session

    def service(self, key: str) -> Service:
        return self.services[key]

    def ncbi_params(self) -> dict[str, str]:
        """What NCBI asks every program to send: ``tool``, ``email`` (when set) and ``api_key`` (when set)."""
        params = {"tool": "kg"}
        if self.settings.contact:
            params["email"] = self.settings.contact
        if self.settings.ncbi_api_key:
            params["api_key"] = self.settings.ncbi_api_key
        return params

    def get(self, key: str, path: str = "", params: dict[str, str] | None = None) -> Answer:
        """The answer of ``GET base_url/path?params`` (from the cache when fresh); 200 and 404 come back as answers,
        anything else the retries could not fix raises :class:`ServiceUnavailable` (and the service is skipped
        for the rest of the run)."""
        service = self.services[key]
        params = dict(params or {})
        url = service.url(path)
        cache_key = request_key(key, url, params)
        cached = self.cache.get(key, cache_key)
        if cached is not None and cached[1]:
            return cached[0]
        try:
            answer = self._ask(service, url, params)
        except ServiceUnavailable:
            if cached is not None:  # stale beats nothing when the service is down
                self.stale[key] = self.stale.get(key, 0) + 1
                return cached[0]
            raise
        if answer.status in (200, 404):
            self.cache.put(key, cache_key, answer)
        return answer

    def _ask(self, service: Service, url: str, params: dict[str, str]) -> Answer:
        if service.key in self.failed:
            raise ServiceUnavailable(service, self.failed[service.key])
        if self.offline:
            self._fail(service, f"{OFFLINE_ENV}=1 forbids network requests (unset it to go online)")
        requests = _requests()

        attempts = max(1, self.settings.retries + 1)
        reason = ""
        for attempt in range(attempts):
            self._limits[service.key].wait()
            self.requests += 1
            try:
                try:
                    response = self.session.get(url, params=params, timeout=self.settings.timeout)
                finally:
                    self._limits[service.key].done()
            except requests.Timeout:
                reason = f"no answer within {self.settings.timeout:g} s"
                wait = self._backoff(attempt)
            except requests.RequestException as err:
                reason = _connection_reason(err)
                if attempt >= 1:  # a refused connection or unknown host does not heal in seconds
                    break
                wait = self._backoff(attempt)
            else:
                if response.status_code not in RETRY_STATUSES:
                    return Answer(url=public_url(url, params), status=response.status_code, text=response.text,
                                  fetched_at=now_iso(), content_type=response.headers.get("Content-Type", ""))
                reason = f"HTTP {response.status_code} after {attempt + 1} attempts"
                wait = retry_after(response.headers.get("Retry-After"), self._backoff(attempt))
                if wait > MAX_RETRY_AFTER:
                    reason = f"HTTP {response.status_code}, asked to wait {wait:.0f} s"
                    break
            if attempt + 1 < attempts:
                log.info("%s: %s; retrying in %.1f s", service.name, reason, wait)
                self.sleep(wait)
        self._fail(service, reason)
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        return self.settings.backoff * (2 ** attempt)

    def _fail(self, service: Service, reason: str) -> None:
        self.failed.setdefault(service.key, reason)
        raise ServiceUnavailable(service, reason)

    def warnings(self) -> list[str]:
        """One line per service that failed (and per service whose stale answers were used instead)."""
        lines = []
        for key, reason in self.failed.items():
            service = self.services[key]
            stale = self.stale.get(key, 0)
            used = f"; used {stale} cached answer(s) past their expiry" if stale else "; went on without it"
            lines.append(f"{service.name} ({service.base_url}) could not be reached: {reason}{used}")
        return lines

    def log_warnings(self) -> None:
        for line in self.warnings():
            log.warning("%s", line)

    def batches(self, items: Iterable[T], size: int, what: str) -> Iterator[list[T]]:
        """``items`` in lists of ``size``, with a progress bar on a terminal when ``progress``."""
        pending = list(items)
        chunks = [pending[i:i + size] for i in range(0, len(pending), size)]
        if self.progress and len(chunks) > 1:
            from tqdm import tqdm

            yield from tqdm(chunks, desc=what, unit="request", leave=False)
        else:
            yield from chunks


def _requests() -> Any:
    """``requests``, or a one-line error naming the extra that installs it."""
    try:
        import requests
    except ImportError:
        raise KGError("the online features need requests: pip install 'kg[online]'") from None
    return requests


def _connection_reason(err: Exception) -> str:
    """A one-line reason for a connection error (requests nests urllib3's long messages)."""
    text = str(err)
    for marker in ("Connection refused", "Name or service not known", "Temporary failure in name resolution",
                   "No route to host", "Network is unreachable", "timed out"):
        if marker in text:
            return marker.lower()
    return type(err).__name__
