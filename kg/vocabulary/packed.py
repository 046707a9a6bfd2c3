"""Read-only tables in memory-mapped files: values by position (:class:`Records`) and by key (:class:`Keyed`).

The compiled vocabulary and the dictionary NER's compiled names are stored this way, so opening them costs a few
system calls and no parsing; a value is copied out of the map only when it is asked for, and the pages stay in the
operating system's cache, shared by every process that reads them. A MARISA trie numbers the keys
(``marisa_trie.Trie``, already used by the broad NER) and a record file holds one value per number.
"""
from __future__ import annotations

import mmap
import struct
from array import array
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from kg.errors import VocabularyError

__all__ = ["Keyed", "Records", "pack_ints", "unpack_ints"]

_MAGIC = b"KGRECS01"
# magic, number of records; then n + 1 uint64 offsets and the data. Offsets and packed integers are in the
# machine's byte order: these files are derived data, and their folders' digests name the byte order.
_HEADER = struct.Struct("=8sQ")


class Records:
    """Byte strings numbered 0..n-1 in one file: a header, n + 1 offsets and the values back to back."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            with self.path.open("rb") as handle:
                self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            magic, count = _HEADER.unpack_from(self._map, 0)
        except (OSError, ValueError, struct.error) as exc:
            raise VocabularyError(f"cannot read {self.path} ({exc}); delete it and run `make vocab`") from exc
        if magic != _MAGIC or len(self._map) < _HEADER.size + 8 * (count + 1):
            raise VocabularyError(f"{self.path} is not a kg record file; delete it and run `make vocab`")
        self._count = count
        self._offsets = memoryview(self._map)[_HEADER.size:_HEADER.size + 8 * (count + 1)].cast("Q")
        self._data = _HEADER.size + 8 * (count + 1)
        if self._data + self._offsets[count] != len(self._map):
            raise VocabularyError(f"{self.path} is truncated; delete it and run `make vocab`")

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, position: int) -> bytes:
        if not 0 <= position < self._count:
            raise IndexError(position)
        start = self._data + self._offsets[position]
        return self._map[start:self._data + self._offsets[position + 1]]

    @staticmethod
    def write(path: Path, values: Sequence[bytes]) -> None:
        """Write ``values`` to ``path`` (a new file; callers write into a folder they rename into place)."""
        offsets = array("Q", [0])
        for value in values:
            offsets.append(offsets[-1] + len(value))
        with Path(path).open("wb") as out:
            out.write(_HEADER.pack(_MAGIC, len(values)))
            out.write(offsets.tobytes())
            for value in values:
                out.write(value)


class Keyed:
    """Byte strings by string key: ``<name>.marisa`` numbers the keys, ``<name>.bin`` holds the values."""

    def __init__(self, folder: Path, name: str) -> None:
        import marisa_trie

        path = Path(folder) / f"{name}.marisa"
        try:
            self.trie = marisa_trie.Trie().mmap(str(path))
        except Exception as exc:  # marisa raises its own error types for a missing or damaged file
            raise VocabularyError(f"cannot map {path} ({exc}); delete it and run `make vocab`") from exc
        self._values = Records(Path(folder) / f"{name}.bin")
        if len(self._values) != len(self.trie):
            raise VocabularyError(f"{path} and its values disagree; delete them and run `make vocab`")

    def __len__(self) -> int:
        return len(self.trie)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self.trie

    def get(self, key: str) -> bytes | None:
        try:
            number = self.trie[key]
        except KeyError:
            return None
        return self._values[number]

    @staticmethod
    def write(folder: Path, name: str, values: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> None:
        import marisa_trie

        items = dict(values)
        trie = marisa_trie.Trie(items)
        ordered: list[bytes] = [b""] * len(trie)
        for key, value in items.items():
            ordered[trie[key]] = value
        trie.save(str(Path(folder) / f"{name}.marisa"))
        Records.write(Path(folder) / f"{name}.bin", ordered)


def pack_ints(values: Iterable[int]) -> bytes:
    """Non-negative integers below 2**32 as uint32s (:func:`unpack_ints` reads them back)."""
    return array("I", values).tobytes()


def unpack_ints(data: bytes) -> tuple[int, ...]:
    return tuple(memoryview(data).cast("I"))
