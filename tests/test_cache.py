"""The download cache's Debian-package reader: a damaged .deb is a DownloadError that says what to do."""
from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from kg.cache import Cache
from kg.errors import DownloadError


def _deb(path: Path, data_member: bytes, size_field: bytes | None = None) -> Path:
    """An ar archive laid out like a .deb (debian-binary, control, data.tar.xz)."""
    members = [(b"debian-binary", b"2.0\n"), (b"control.tar.xz", b""), (b"data.tar.xz", data_member)]
    with open(path, "wb") as fh:
        fh.write(b"!<arch>\n")
        for name, body in members:
            size = size_field if size_field is not None and name == b"data.tar.xz" else str(len(body)).encode()
            fh.write(name.ljust(16) + b"0".ljust(12) + b"0".ljust(6) + b"0".ljust(6) + b"100644".ljust(8)
                     + size.ljust(10) + b"`\n")
            fh.write(body + (b"\n" if len(body) % 2 else b""))
    return path


def _data_tar(text: str) -> bytes:
    payload = text.encode("utf-8")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:xz") as tar:
        info = tarfile.TarInfo("./usr/share/thing/data.txt")
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    return buf.getvalue()


def test_deb_member_extracts_the_file(tmp_path):
    deb = _deb(tmp_path / "pkg_1.0_all.deb", _data_tar("hello\n" * 1000))
    out = Cache(tmp_path / "c", offline=True).deb_member(deb, "thing/data.txt")
    assert out.read_text(encoding="utf-8") == "hello\n" * 1000


@pytest.mark.parametrize("damage", ["truncated", "garbage", "bad_header"])
def test_corrupt_deb_is_a_download_error_and_leaves_no_temp_file(tmp_path, damage):
    good = _data_tar("hello\n" * 1000)
    if damage == "truncated":
        deb = _deb(tmp_path / "pkg_1.0_all.deb", good[: len(good) // 2])
    elif damage == "garbage":
        deb = _deb(tmp_path / "pkg_1.0_all.deb", b"\x00not a tar archive" * 50)
    else:
        deb = _deb(tmp_path / "pkg_1.0_all.deb", good, size_field=b"12x")
    cache = Cache(tmp_path / "c", offline=True)
    with pytest.raises(DownloadError, match="corrupt.*delete it and rebuild"):
        cache.deb_member(deb, "thing/data.txt")
    extracted = tmp_path / "c" / "extracted"
    assert not extracted.exists() or not [p for p in extracted.rglob("*") if p.is_file()]


def test_a_pinned_checksum_refuses_a_swapped_file(tmp_path):
    wheel = tmp_path / "somepkg-1.0-py3-none-any.whl"
    wheel.write_bytes(b"the bytes pip served")
    cache = Cache(tmp_path, offline=True)
    from kg.cache import sha256_file

    good = sha256_file(wheel)
    assert cache.wheel("somepkg", "1.0", sha256=good) == wheel
    wheel.write_bytes(b"something else")
    with pytest.raises(DownloadError, match="not the pinned"):
        cache.wheel("somepkg", "1.0", sha256=good)
