"""Reading a streamed response body with a size limit that holds after decompression.

httpx decompresses each network chunk in one go, so 64 KB of gzip can become tens of megabytes
before anyone counts them. Here the raw bytes are decompressed by pieces of at most ``PIECE`` bytes
and counted as they come: reading stops as soon as the limit is passed, and memory stays within
the limit plus one piece.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator

import httpx

from hippique_assets.net.errors import HttpBodyTooLarge

# Largest piece of decompressed data produced at once.
PIECE = 64 * 1024
# The encodings the clients ask for; both are decoded by pieces below.
ACCEPT_ENCODING = "gzip, deflate"


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        for start in range(0, len(data), PIECE):
            yield data[start : start + PIECE]

    def flush(self) -> Iterator[bytes]:
        return iter(())


class _Inflate:
    """gzip (``wbits=31``) or deflate: zlib-wrapped (``15``), or raw when the first bytes say so."""

    def __init__(self, wbits: int) -> None:
        self._wbits = wbits
        self._zlib = zlib.decompressobj(wbits)
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            yield from self._pieces(data)
        except zlib.error as exc:
            # Servers that say "deflate" often send raw deflate without the zlib wrapper.
            if self._started or self._wbits != zlib.MAX_WBITS:
                raise httpx.DecodingError(f"cannot decompress the body: {exc}") from exc
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            self._wbits = -zlib.MAX_WBITS
            yield from self.feed(data)

    def flush(self) -> Iterator[bytes]:
        try:
            tail = self._zlib.flush()
        except zlib.error as exc:
            raise httpx.DecodingError(f"cannot decompress the body: {exc}") from exc
        yield from _Identity().feed(tail)

    def _pieces(self, data: bytes) -> Iterator[bytes]:
        piece = self._zlib.decompress(data, PIECE)
        self._started = True
        yield piece
        while self._zlib.unconsumed_tail:
            yield self._zlib.decompress(self._zlib.unconsumed_tail, PIECE)


_Decoder = _Identity | _Inflate
_DECODERS: dict[str, Callable[[], _Decoder]] = {
    "gzip": lambda: _Inflate(zlib.MAX_WBITS | 16),
    "x-gzip": lambda: _Inflate(zlib.MAX_WBITS | 16),
    "deflate": lambda: _Inflate(zlib.MAX_WBITS),
}


def _decoders(content_encoding: str) -> list[_Decoder]:
    """Decoders in the order to apply them (the last encoding applied is undone first). Unknown
    encodings pass through as httpx does: the caller's checks of the content then judge it."""
    names = [n.strip().lower() for n in content_encoding.split(",") if n.strip()]
    return [_DECODERS.get(name, _Identity)() for name in reversed(names)]


def _decode(decoders: list[_Decoder], data: bytes, *, final: bool = False) -> Iterator[bytes]:
    pieces: Iterator[bytes] = iter((data,))
    for decoder in decoders:
        pieces = _through(decoder, pieces, final)
    return (p for p in pieces if p)


def _through(decoder: _Decoder, pieces: Iterator[bytes], final: bool) -> Iterator[bytes]:
    for piece in pieces:
        yield from decoder.feed(piece)
    if final:
        yield from decoder.flush()


def read_bounded(
    response: httpx.Response, url: str, limit_bytes: int, between_chunks: Callable[[], None] = lambda: None
) -> bytes:
    """The decompressed body of a streamed ``response``, refused (HttpBodyTooLarge) past ``limit_bytes``.

    ``between_chunks`` runs after each network chunk (the caller's deadline check). The response is
    left open: the caller closes it.
    """
    encoding = response.headers.get("Content-Encoding", "")
    decoders = _decoders(encoding)
    declared = _content_length(response)
    if not decoders and declared is not None and declared > limit_bytes:
        raise HttpBodyTooLarge(url, limit_bytes, received=0, declared=declared)
    body = bytearray()
    for raw in response.iter_raw():
        _append(body, _decode(decoders, raw), url, limit_bytes)
        between_chunks()
    _append(body, _decode(decoders, b"", final=True), url, limit_bytes)
    return bytes(body)


def _append(body: bytearray, pieces: Iterator[bytes], url: str, limit_bytes: int) -> None:
    for piece in pieces:
        body += piece
        if len(body) > limit_bytes:
            raise HttpBodyTooLarge(url, limit_bytes, received=len(body))


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("Content-Length", "")
    return int(value) if value.strip().isdigit() else None
