"""Typed errors of the web sources; each names the page, URL or source it concerns."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class WebParseError(ValueError):
    """A page no longer has the structure the parser reads: names the page and what is missing."""

    def __init__(self, page: str, missing: str) -> None:
        super().__init__(f"{page}: cannot find {missing}")
        self.page = page
        self.missing = missing


class RobotsRefused(PermissionError):
    """robots.txt of the site disallows the URL for our User-Agent; the URL was not requested."""

    def __init__(self, url: str, reason: str = "robots.txt disallows it") -> None:
        super().__init__(f"not fetching {url}: {reason}")
        self.url = url


class SourceDisabled(RuntimeError):
    """Fetching from this web source is off in the configuration; nothing was requested."""

    def __init__(self, source: str, url: str | None = None) -> None:
        what = f" ({url})" if url else ""
        super().__init__(f"fetching from {source}{what} is disabled: enable {source} in WebSourcesConfig")
        self.source = source
        self.url = url


def typed_parse_errors(parser: Callable[P, R]) -> Callable[P, R]:
    """A malformed value deep in a page (a number that is not one, a row cut short) surfaces as a
    :class:`WebParseError` naming the page, like a missing element, never as a bare ValueError."""

    @functools.wraps(parser)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return parser(*args, **kwargs)
        except WebParseError:
            raise
        except (ValueError, IndexError, KeyError, AttributeError, TypeError, OverflowError) as exc:
            page = str(kwargs.get("source", args[1] if len(args) > 1 else "page"))
            raise WebParseError(page, f"well-formed content ({type(exc).__name__}: {exc})") from exc

    return wrapper
