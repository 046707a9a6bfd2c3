"""``OUT/shards.sqlite``: every document's shard (:class:`kg.shards.Shard`), kept so ``kg build --update`` re-reads
only new or changed documents.

One row per document: its id, text hash, source file name, the fingerprint it was read under and the shard as
zlib-compressed JSON (JSON, not pickle, so opening an OUT someone else wrote runs no code). SQLite is in the
standard library, replaces one document's row in place and holds thousands of documents in one file.
"""
from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

from kg.errors import GraphError
from kg.graph.build import EntityPart
from kg.shards import Shard

FILE = "shards.sqlite"
_SCHEMA = ("CREATE TABLE IF NOT EXISTS shards "
           "(doc_id TEXT PRIMARY KEY, sha TEXT, source TEXT, fingerprint TEXT, payload BLOB)")


def encode(shard: Shard) -> bytes:
    # the fields one level down, not dataclasses.asdict, which deep-copies every string of every line (half the
    # time a build spent keeping its shards)
    data = {f.name: getattr(shard, f.name) for f in fields(shard)}
    data["entities"] = [{f.name: getattr(part, f.name) for f in fields(part)} for part in shard.entities]
    return zlib.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"), 1)


def decode(payload: bytes) -> Shard:
    try:
        data = json.loads(zlib.decompress(payload))
        data["entities"] = [EntityPart(**{**e, "xrefs": tuple(e["xrefs"]), "sources": tuple(e["sources"]),
                                          "forms": tuple(e["forms"])}) for e in data["entities"]]
        data["titles"] = [tuple(claim) for claim in data["titles"]]
        return Shard(**data)
    except (zlib.error, ValueError, KeyError, TypeError) as exc:
        raise GraphError(f"a document in {FILE} is damaged ({exc}); rebuild OUT without --update") from None


class ShardStore:
    """The shards of one OUT being written (or read): put, look up by document, iterate in document order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._db = sqlite3.connect(path)
            self._db.execute(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise GraphError(f"{path} is not a shard store ({exc}); rebuild OUT without --update") from exc

    def put(self, shards: list[Shard], fingerprint: str) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO shards VALUES (?, ?, ?, ?, ?)",
                                 [(s.doc_id, s.sha, s.source, fingerprint, encode(s)) for s in shards])

    def known(self) -> dict[str, tuple[str, str, str]]:
        """Document id -> (text hash, source file name, fingerprint) of every stored shard."""
        rows = self._db.execute("SELECT doc_id, sha, source, fingerprint FROM shards")
        return {doc_id: (sha, source, fp) for doc_id, sha, source, fp in rows}

    def get(self, doc_id: str) -> Shard:
        row = self._db.execute("SELECT payload FROM shards WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            raise KeyError(doc_id)
        return decode(row[0])

    def __iter__(self) -> Iterator[Shard]:
        for (payload,) in self._db.execute("SELECT payload FROM shards ORDER BY doc_id"):
            yield decode(payload)

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM shards").fetchone()[0])

    def close(self) -> None:
        self._db.close()
