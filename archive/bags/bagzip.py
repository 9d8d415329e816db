"""A BagIt bag (RFC 8493) written straight into a zip, each payload file hashed as it is zipped.

The `bagit` library makes bags from a folder: the payload is staged, then read once to hash it and once more
to zip it. Here every payload file is read once, from the store: its blocks go to the hashes and into the
zip entry in the same pass, and the tag files (bagit.txt, bag-info.txt with Payload-Oxum, the manifests, the
tag manifests) are written from what that pass counted. Nothing is held in memory but one block of a file
and a line per payload file. `bagit` stays the judge: the restore validates every bag with it in full, and
so do the tests.

    with ZippedBag(out, "bag-12") as bag:
        bag.add_stream("asset/v1/photo.jpg", blocks, size_hint=123)
        bag.add_bytes("bag.json", b"{...}")
        bag.finish({"Source-Organization": "..."})   # -> the bag-info fields written
"""
from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date
from typing import IO

BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
SOFTWARE_AGENT = "DAM archive.bags (RFC 8493 writer; bags validated with bagit.py)"
# zipfile refuses to grow an entry past 2 GiB unless it was opened for ZIP64; a margin for sizes on record
# that are not quite what the store holds.
_ZIP64_FROM = 1 << 30
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")


def encode_path(path: str) -> str:
    """A payload path as a manifest line carries it (RFC 8493 section 2.1.3: CR, LF and % percent-encoded)."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


class ZippedBag:
    """Writes one bag, under the folder `name`, into the zip `out` (stored, not deflated: media are
    compressed already). Payload paths are relative to data/."""

    def __init__(self, out: IO[bytes], name: str, algorithms: Iterable[str] = ("sha256",)) -> None:
        self.name = name
        self.algorithms = tuple(algorithms)
        self.zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True)
        self.digests: dict[str, dict[str, str]] = {}  # payload path -> algorithm -> hex digest
        self.octets = 0
        self._tag_digests: dict[str, dict[str, str]] = {}
        self._tag("bagit.txt", BAGIT_TXT)

    def __enter__(self) -> ZippedBag:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zip.close()

    def add_stream(self, path: str, blocks: Iterable[bytes], *, size_hint: int | None = None) -> None:
        """One payload file from its blocks. The first block is asked for before the zip entry is opened, so
        a source that is missing (FileNotFoundError) leaves no entry behind."""
        if path in self.digests:
            raise ValueError(f"data/{path} would be written into the bag twice.")
        blocks = iter(blocks)
        first = next(blocks, b"")
        self.digests[path] = self._write(f"data/{path}", _chain(first, blocks),
                                         zip64=size_hint is None or size_hint >= _ZIP64_FROM)

    def add_bytes(self, path: str, content: bytes) -> None:
        """One small payload file (asset.json, a sidecar) made in memory."""
        self.add_stream(path, [content], size_hint=len(content))

    def finish(self, info: dict[str, str]) -> dict[str, str]:
        """Write bag-info.txt (with Payload-Oxum, Bagging-Date and Bag-Software-Agent unless given), the
        manifests and the tag manifests; return the bag-info fields."""
        fields = {"Bagging-Date": date.today().isoformat(), "Bag-Software-Agent": SOFTWARE_AGENT, **info,
                  "Payload-Oxum": f"{self.octets}.{len(self.digests)}"}
        # Sorted, one field a line, line breaks removed from values: what bagit.py writes and reads.
        self._tag("bag-info.txt", "".join(f"{key}: {_LINE_BREAKS.sub(' ', str(fields[key]))}\n"
                                          for key in sorted(fields)).encode())
        for algorithm in self.algorithms:
            lines = "".join(f"{self.digests[path][algorithm]}  data/{encode_path(path)}\n"
                            for path in sorted(self.digests))
            self._tag(f"manifest-{algorithm}.txt", lines.encode())
        tag_files = sorted(self._tag_digests)
        for algorithm in self.algorithms:
            lines = "".join(f"{self._tag_digests[name][algorithm]}  {name}\n" for name in tag_files)
            self._write(f"tagmanifest-{algorithm}.txt", iter([lines.encode()]), zip64=False)
        return fields

    def _tag(self, name: str, content: bytes) -> None:
        self._tag_digests[name] = self._write(name, iter([content]), zip64=False)

    def _write(self, path: str, blocks: Iterator[bytes], *, zip64: bool) -> dict[str, str]:
        hashes = [hashlib.new(algorithm) for algorithm in self.algorithms]
        with self.zip.open(f"{self.name}/{path}", "w", force_zip64=zip64) as entry:
            for block in blocks:
                for digest in hashes:
                    digest.update(block)
                entry.write(block)
                if path.startswith("data/"):
                    self.octets += len(block)
        return {algorithm: digest.hexdigest() for algorithm, digest in zip(self.algorithms, hashes, strict=True)}


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    if first:
        yield first
    yield from rest
