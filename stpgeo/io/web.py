"""HTTP GETs of the publishers' servers: one error type, classified, and retries.

Every request :mod:`stpgeo.io.sources`, :mod:`stpgeo.io.arcgis` and
:mod:`stpgeo.io.check` make goes through :func:`get` or :func:`read_json`. What can go
wrong becomes one :class:`ServiceError` saying what came back, classified by what
another try or another source could mend (:attr:`ServiceError.kind`):

- ``"moved"``: the address no longer holds the product (HTTP 403, 404, 410; an ArcGIS
  answer of HTTP 200 with ``{"error": {"code": 400, "message": "Invalid URL"}}``, or
  code 403, 404, 498 or 499: a deleted, renamed or private service);
- ``"transient"``: the server is busy or the line broke (HTTP 429, 500, 502, 503, 504,
  an ArcGIS error code 500, 503 or 504, no answer in time, a connection reset or cut
  mid-answer): retried with exponential back-off (:class:`Retry`), honouring
  ``Retry-After``;
- ``"unreachable"``: no server answered at all (no such host, connection refused);
- ``"refused"``: any other answer that is not what was asked for (an invalid query,
  a web page instead of JSON, a file whose checksum differs).

Examples
--------
>>> Retry(tries=3, first_delay_s=1).delays()
[1.0, 2.0]
>>> ServiceError("https://x/FeatureServer/0", "the service's error 499: Token Required",
...              code=499).kind
'moved'
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from stpgeo._version import __version__
from stpgeo.progress import logger

#: Seconds to wait for an answer before giving up.
TIMEOUT_S = 120
_HEADERS = {"User-Agent": f"stpgeo/{__version__} (+https://github.com/stpgeo)"}
_MOVED_STATUS = (403, 404, 410)
_TRANSIENT_STATUS = (429, 500, 502, 503, 504)
_MOVED_CODES = (403, 404, 498, 499)
_TRANSIENT_CODES = (500, 503, 504)

Kind = Literal["moved", "transient", "unreachable", "refused"]
T = TypeVar("T")


class ServiceError(Exception):
    """A request that did not bring back what was asked for: ``what`` says what did.

    Parameters
    ----------
    url
        The address asked.
    what
        What came back, in words (``"HTTP 404 Not Found"``).
    status
        The HTTP status, if one came back.
    code
        The ArcGIS error code of an HTTP 200 ``{"error": {...}}`` answer.
    kind
        What another try or another source could mend; by default from ``status`` and
        ``code`` (see the module's notes).
    retry_after_s
        The server's ``Retry-After``, in seconds.
    """

    def __init__(self, url: str, what: str, *, status: int | None = None,
                 code: int | None = None, kind: Kind | None = None,
                 retry_after_s: float | None = None) -> None:
        self.url, self.what, self.status, self.code = url, what, status, code
        self.retry_after_s = retry_after_s
        self.kind: Kind = kind or _classify(status, code, what)
        super().__init__(f"{url}: {what}")


def _classify(status: int | None, code: int | None, what: str) -> Kind:
    if status in _MOVED_STATUS or code in _MOVED_CODES or (
            code == 400 and "invalid url" in what.lower()):
        return "moved"
    if status in _TRANSIENT_STATUS or code in _TRANSIENT_CODES:
        return "transient"
    return "refused"


@dataclass(frozen=True)
class Retry:
    """How often, and after how long, a transient failure is tried again.

    ``tries`` requests in all; the waits between them start at ``first_delay_s`` and
    double, up to ``max_delay_s``; a server's ``Retry-After`` is waited instead when
    it is longer (up to ``max_delay_s``). ``Retry(first_delay_s=0)`` does not wait
    (tests).
    """

    tries: int = 5
    first_delay_s: float = 2.0
    max_delay_s: float = 60.0

    def delays(self) -> list[float]:
        """The waits between tries, without ``Retry-After``."""
        return [min(self.first_delay_s * 2.0 ** i, self.max_delay_s)
                for i in range(self.tries - 1)]


#: What a fetch uses unless told otherwise.
DEFAULT_RETRY = Retry()


def _sleep(seconds: float) -> None:  # a seam for tests, which record the waits
    time.sleep(seconds)


def retrying(call: Callable[[], T], retry: Retry, *, what: str = "") -> T:
    """``call()``, tried again after each transient :class:`ServiceError`.

    Raises the last error once ``retry.tries`` have failed (its ``what`` then says how
    many tries), and any other error at once.

    Examples
    --------
    >>> retrying(lambda: 42, Retry())
    42
    """
    delays = retry.delays()
    for attempt in range(retry.tries):
        try:
            return call()
        except ServiceError as error:
            if error.kind != "transient":
                raise
            if attempt == len(delays):
                if retry.tries > 1:
                    error.what += f" (still after {retry.tries} tries)"
                raise
            wait = min(max(delays[attempt], error.retry_after_s or 0.0), retry.max_delay_s)
            logger.info("%s%s; trying again in %.0f s", f"{what}: " if what else "",
                        error, wait)
            _sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


@contextmanager
def get(url: str, *, headers: dict[str, str] | None = None
        ) -> Iterator[http.client.HTTPResponse]:
    """An open answer to a GET of ``url`` (status 200 or 206), else :class:`ServiceError`."""
    request = urllib.request.Request(url, headers={**_HEADERS, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
            yield answer
    except urllib.error.HTTPError as error:
        error.close()  # it holds the connection
        raise ServiceError(url, f"HTTP {error.code} {error.reason}", status=error.code,
                           retry_after_s=_seconds(error.headers.get("Retry-After"))) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError | ConnectionError):
            raise ServiceError(url, f"no answer ({error.reason})", kind="transient") from None
        raise ServiceError(url, f"no answer ({error.reason})", kind="unreachable") from None
    except TimeoutError:
        raise ServiceError(url, f"no answer within {TIMEOUT_S} s", kind="transient") from None
    except (http.client.HTTPException, ConnectionError) as error:
        raise ServiceError(url, f"the connection was cut ({type(error).__name__})",
                           kind="transient") from None


def _seconds(header: str | None) -> float | None:
    try:
        return float(header) if header is not None else None
    except ValueError:
        return None  # an HTTP date: the back-off's own wait will do


def read_json(url: str, retry: Retry = DEFAULT_RETRY) -> dict[str, Any]:
    """GET ``url`` and parse the JSON object it answers, refusing anything else.

    Transient failures are tried again (``retry``); an HTTP 200 ``{"error": {...}}``
    answer raises :class:`ServiceError` with its ``code``.
    """
    return retrying(lambda: _read_json_once(url), retry)


def _read_json_once(url: str) -> dict[str, Any]:
    with get(url) as answer:
        try:
            body = answer.read()
        except (http.client.HTTPException, OSError) as error:
            raise ServiceError(url, f"the connection was cut ({type(error).__name__})",
                               kind="transient") from None
    try:
        parsed = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ServiceError(url, f"an answer that is not JSON: {describe_bytes(body)}") from None
    if not isinstance(parsed, dict):
        raise ServiceError(url, f"JSON that is not an object: {describe_bytes(body)}")
    if "error" in parsed:
        said = parsed["error"] if isinstance(parsed["error"], dict) else {}
        code = said.get("code")
        raise ServiceError(url, f"the service's error {code if code is not None else '?'}: "
                                f"{said.get('message', parsed['error'])}",
                           code=code if isinstance(code, int) else None,
                           kind="moved" if said.get("__type") == "Not Found Error" else None)
    return parsed


def describe_bytes(body: bytes, limit: int = 80) -> str:
    """The start of an answer, for a message.

    Examples
    --------
    >>> describe_bytes(b"<html><body>Moved</body></html>")
    "'<html><body>Moved</body></html>' (31 bytes)"
    """
    text = body[:limit].decode("utf-8", errors="replace").replace("\n", " ")
    return f"{text!r}{'...' if len(body) > limit else ''} ({len(body):,} bytes)"
