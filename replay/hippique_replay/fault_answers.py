"""What a fault does to the replay server's answer: the status answer that replaces it, the damaged
body, the announced size, and how a huge or dripping body is written.

The plan deciding which request gets which fault is :mod:`hippique_replay.faults`; the JSON surgery
of shrink and mutate is :mod:`hippique_replay.hostile_bodies`. The body faults only alter a 200
that has a body (:func:`has_body`); a 204 or an error passes unchanged.
"""

from __future__ import annotations

import threading
from io import BufferedIOBase

from hippique_replay.faults import REDIRECT_STATUS, Fault
from hippique_replay.hostile_bodies import FaultApplyError, mutate_body, shrink_body
from hippique_replay.sources import NO_CONTENT, SourceAnswer, error_answer

INVALID_BODY = b"<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>"
# The padding of a huge body leaves in writes of this size (one shared buffer, never the whole body).
PADDING_CHUNK = b" " * (64 * 1024)


def has_body(answer: SourceAnswer) -> bool:
    """Whether the body faults apply: a 200 with a body."""
    return answer.status == 200 and bool(answer.body)


def body_size(answer: SourceAnswer, fault: Fault | None) -> int:
    """The Content-Length of ``answer``: a huge body's padded size, otherwise the body's."""
    if fault is not None and fault.kind == "huge" and has_body(answer):
        return max(len(answer.body), fault.size_bytes)
    return len(answer.body)


def status_answer(kind: str, status: int) -> SourceAnswer:
    """The answer of a status fault, in place of the source's (a redirect's Location is a header)."""
    if status == 204:
        return NO_CONTENT
    if status == REDIRECT_STATUS:
        return SourceAnswer(REDIRECT_STATUS, b"", None)
    return error_answer(status, f"injected fault {kind}")


def altered_answer(answer: SourceAnswer, fault: Fault) -> tuple[SourceAnswer, str | None]:
    """``answer`` with the body fault applied, and why it was not (shrink or mutate that does not fit)."""
    try:
        if fault.kind == "truncated":
            body = fault.cut(answer.body)
        elif fault.kind == "invalid":
            body = INVALID_BODY
        elif fault.kind == "shrink":
            body, _ = shrink_body(answer.body)
        elif fault.kind == "mutate" and fault.mutation is not None and fault.target is not None:
            body, _ = mutate_body(answer.body, fault.mutation, fault.target)
        else:
            return answer, None
    except FaultApplyError as exc:
        return answer, f"{fault.kind} not applied: {exc}"
    return SourceAnswer(answer.status, body, answer.content_type), None


def write_body(
    wfile: BufferedIOBase, answer: SourceAnswer, fault: Fault | None, stopping: threading.Event
) -> bool:
    """Write the body of ``answer`` as ``fault`` has it leave (padded, dripped or as it is).

    False when ``stopping`` was set before the whole body was written: the connection must close.
    """
    if fault is not None and has_body(answer):
        if fault.kind == "huge":
            return _write_padded(wfile, answer.body, body_size(answer, fault), stopping)
        if fault.kind == "drip":
            return _write_drip(wfile, answer.body, fault, stopping)
    wfile.write(answer.body)
    return True


def _write_padded(wfile: BufferedIOBase, body: bytes, size: int, stopping: threading.Event) -> bool:
    """``body`` then spaces up to ``size`` bytes, a chunk at a time."""
    wfile.write(body)
    padding = memoryview(PADDING_CHUNK)
    left = size - len(body)
    while left > 0:
        if stopping.is_set():
            return False
        step = min(left, len(padding))
        wfile.write(padding[:step])
        left -= step
    return True


def _write_drip(wfile: BufferedIOBase, body: bytes, fault: Fault, stopping: threading.Event) -> bool:
    """``body`` in writes of ``fault.chunk_bytes``, ``fault.delay_s`` apart."""
    for at in range(0, len(body), fault.chunk_bytes):
        if at and stopping.wait(fault.delay_s):
            return False
        wfile.write(body[at : at + fault.chunk_bytes])
    return True
