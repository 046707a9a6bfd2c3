"""Where kg keeps what it builds and downloads, and whether it may download: one typed, explicit object.

Defaults follow the platform's conventions (``platformdirs``: ``~/.local/share/kg`` and ``~/.cache/kg`` on
Linux), so an installed wheel works from any folder; environment variables override them, and code passes
a :class:`Settings` down instead of reading or writing ``os.environ`` itself. Run from a checkout (an editable
install), the defaults are the checkout's own ``data/`` and the ``../shared`` beside it, as the ``Makefile`` sets,
so ``.venv/bin/kg`` finds the index ``make vocab`` built.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

__all__ = ["Settings", "OnlineSettings", "DATA_ENV", "VOCAB_DIR_ENV", "CACHE_ENV", "SHARED_ENV", "OFFLINE_ENV",
           "SERVICE_ALLOW_ENV"]

DATA_ENV = "KG_DATA_DIR"
VOCAB_DIR_ENV = "KG_VOCAB_DIR"
CACHE_ENV = "KG_CACHE_DIR"
SHARED_ENV = "KG_SHARED_DIR"
OFFLINE_ENV = "KG_OFFLINE"
SERVICE_ALLOW_ENV = "KG_SERVICE_ALLOW"
_APP = "kg"
#: Environment variables of :class:`OnlineSettings` (``kg build --online``, ``kg compare``, ``kg resolve --online``).
ONLINE_ENV = {
    "eutils_url": "KG_EUTILS_URL", "idconv_url": "KG_IDCONV_URL", "bioc_url": "KG_BIOC_URL",
    "pubtator_url": "KG_PUBTATOR_URL", "ols_url": "KG_OLS_URL", "contact": "KG_CONTACT",
    "ncbi_api_key": "NCBI_API_KEY", "cache_days": "KG_ONLINE_CACHE_DAYS", "timeout": "KG_ONLINE_TIMEOUT",
    "retries": "KG_ONLINE_RETRIES", "backoff": "KG_ONLINE_BACKOFF",
}


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _path(value: str | None) -> Path | None:
    return Path(value).expanduser() if value else None


@dataclass(frozen=True)
class OnlineSettings:
    """Where the online services are and how politely to ask them (kg/online/client.py uses these).

    The base URLs are the services' documented ones; tests point them at a local server. ``contact`` (an e-mail)
    goes into the User-Agent and NCBI's ``email`` parameter, as NCBI asks; ``ncbi_api_key`` raises E-utilities'
    limit from 3 to 10 requests a second. Answers are reused from the disk cache for ``cache_days``.
    """

    eutils_url: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
    idconv_url: str = "https://pmc.ncbi.nlm.nih.gov/tools/idconv/api/v1/articles/"
    bioc_url: str = "https://www.ncbi.nlm.nih.gov/research/bionlp/RESTful/pmcoa.cgi/"
    pubtator_url: str = "https://www.ncbi.nlm.nih.gov/research/pubtator3-api/"
    ols_url: str = "https://www.ebi.ac.uk/ols4/api/"
    contact: str = ""
    ncbi_api_key: str = ""
    cache_days: float = 30.0
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 1.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> OnlineSettings:
        """Defaults overridden by the variables of ``ONLINE_ENV``; a number that is none raises ``KGError``."""
        from kg.errors import KGError

        values: dict[str, object] = {}
        for name, var in ONLINE_ENV.items():
            raw = (env.get(var) or "").strip()
            if not raw:
                continue
            kind = type(getattr(cls, name))
            try:
                value = kind(raw)
            except ValueError:
                raise KGError(f"{var}={raw!r} is not a {kind.__name__}; fix or unset it") from None
            if kind is not str and value < 0:
                raise KGError(f"{var}={raw!r} is negative; give a number of 0 or more")
            values[name] = value
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Settings:
    """Folders and the offline switch.

    ``vocab_dir`` holds the broad vocabulary index (``kg vocab build``); ``cache_dir`` the registry downloads
    it is built from; ``shared_dir`` the training corpora (``eval/<corpus>/...``) that the training-pair
    vocabulary source, the stop-list and the conventions learn from (``None``: not available).
    ``service_allow``: the SPARQL endpoint IRIs ``kg serve`` lets a query's SERVICE reach (none by default).
    ``online``: the web services ``--online`` may ask (:class:`OnlineSettings`); ``offline`` forbids them too.
    """

    data_dir: Path
    vocab_dir: Path
    cache_dir: Path
    shared_dir: Path | None = None
    offline: bool = False
    service_allow: tuple[str, ...] = ()
    online: OnlineSettings = OnlineSettings()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from ``environ`` (default ``os.environ``) over the platform defaults; ``overrides`` win."""
        import platformdirs

        from kg.paths import checkout_root

        env = os.environ if environ is None else environ
        checkout = checkout_root()
        if checkout is not None:
            default_data, default_cache = checkout / "data", checkout / "data" / "vocab" / "cache"
            shared = checkout.parent / "shared"
            default_shared: Path | None = shared if shared.is_dir() else None
        else:
            default_data = Path(platformdirs.user_data_dir(_APP, appauthor=False))
            default_cache = Path(platformdirs.user_cache_dir(_APP, appauthor=False))
            default_shared = None
        data = _path(env.get(DATA_ENV)) or default_data
        settings = cls(
            data_dir=data,
            vocab_dir=_path(env.get(VOCAB_DIR_ENV)) or data / "vocab",
            cache_dir=_path(env.get(CACHE_ENV)) or default_cache,
            shared_dir=_path(env.get(SHARED_ENV)) or default_shared,
            offline=_truthy(env.get(OFFLINE_ENV)),
            service_allow=tuple((env.get(SERVICE_ALLOW_ENV) or "").split()),
            online=OnlineSettings.from_env(env),
        )
        return replace(settings, **overrides) if overrides else settings  # type: ignore[arg-type]
