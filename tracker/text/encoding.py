"""Bytes and text: decoding a file's bytes as UTF-8 text, and the checksum of a text."""

from __future__ import annotations

from ..errors import UnreadableFile


def sha256_text(text: str) -> str:
    """SHA-256 of the UTF-8 bytes of ``text``, the checksum kept for every version."""
    import hashlib  # here: loading OpenSSL is a cost that only reading or writing a text pays

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def decode(data: bytes, label: str) -> str:
    """Decode file bytes as UTF-8 text, refusing binary content."""
    if b"\x00" in data:
        raise UnreadableFile(f"{label}: binary file (contains NUL bytes), skipped")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnreadableFile(f"{label}: not valid UTF-8 (byte {error.start}), skipped") from None
