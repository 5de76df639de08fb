"""HTTP GETs, and the ArcGIS REST protocol of ONS's Open Geography Portal.

The portal publishes each boundary layer and lookup table as an ArcGIS
FeatureServer layer (``https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/
services/<name>/FeatureServer/0``). Reading one takes three kinds of request:

- the layer's metadata, ``<layer>?f=json``: its type (``Feature Layer`` or
  ``Table``), ``maxRecordCount``, ``objectIdField`` and ``fields``;
- its count, ``<layer>/query?where=...&returnCountOnly=true&f=json``;
- pages, ``<layer>/query?where=...&outFields=*&orderByFields=<object id>&
  resultOffset=k&resultRecordCount=n``, as GeoJSON in longitude/latitude for layers
  (``f=geojson&outSR=4326``) or as attribute records for tables (``f=json``), until an
  answer no longer says ``exceededTransferLimit``.

A service answers a bad request with HTTP 200 and ``{"error": {...}}``; this module
turns that, HTTP errors, pages that are not JSON and cut connections into one
:class:`ServiceError` saying what came back. It knows nothing of products or files:
:mod:`stpgeo.io.fetch` does.

Examples
--------
>>> query_url("https://host/arcgis/rest/services/X/FeatureServer/0", {"f": "json"})
'https://host/arcgis/rest/services/X/FeatureServer/0/query?f=json'
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from stpgeo._version import __version__

#: Seconds to wait for an answer before giving up.
TIMEOUT_S = 120
_HEADERS = {"User-Agent": f"stpgeo/{__version__} (+https://github.com/stpgeo)"}


class ServiceError(Exception):
    """A request that did not bring back what was asked for: ``what`` says what did."""

    def __init__(self, url: str, what: str, *, status: int | None = None) -> None:
        self.url, self.what, self.status = url, what, status
        super().__init__(f"{url}: {what}")


@contextmanager
def get(url: str, *, headers: dict[str, str] | None = None
        ) -> Iterator[http.client.HTTPResponse]:
    """An open answer to a GET of ``url`` (status 200 or 206), else :class:`ServiceError`."""
    request = urllib.request.Request(url, headers={**_HEADERS, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
            yield answer
    except urllib.error.HTTPError as error:
        raise ServiceError(url, f"HTTP {error.code} {error.reason}", status=error.code) from None
    except urllib.error.URLError as error:
        raise ServiceError(url, f"no answer ({error.reason})") from None
    except TimeoutError:
        raise ServiceError(url, f"no answer within {TIMEOUT_S} s") from None
    except (http.client.HTTPException, ConnectionError) as error:
        raise ServiceError(url, f"the connection was cut ({type(error).__name__})") from None


def read_json(url: str) -> dict[str, Any]:
    """GET ``url`` and parse the JSON object it answers, refusing anything else."""
    with get(url) as answer:
        try:
            body = answer.read()
        except (http.client.HTTPException, ConnectionError, TimeoutError) as error:
            raise ServiceError(url, f"the connection was cut ({type(error).__name__})") from None
    try:
        parsed = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ServiceError(url, f"an answer that is not JSON: {describe_bytes(body)}") from None
    if not isinstance(parsed, dict):
        raise ServiceError(url, f"JSON that is not an object: {describe_bytes(body)}")
    if "error" in parsed:
        said = parsed["error"] if isinstance(parsed["error"], dict) else {}
        raise ServiceError(url, f"the service's error {said.get('code', '?')}: "
                                f"{said.get('message', parsed['error'])}")
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


def query_url(layer: str, params: dict[str, str]) -> str:
    """The URL of a query of ``layer`` with ``params``."""
    return f"{layer.rstrip('/')}/query?{urllib.parse.urlencode(params)}"


@dataclass(frozen=True)
class LayerInfo:
    """What a FeatureServer layer says of itself."""

    url: str
    name: str
    is_table: bool
    max_records: int
    object_id: str
    fields: tuple[str, ...]


def layer_info(url: str) -> LayerInfo:
    """Read a layer's metadata (``<layer>?f=json``)."""
    meta = read_json(f"{url.rstrip('/')}?f=json")
    kind = meta.get("type")
    if kind not in ("Feature Layer", "Table") or not isinstance(meta.get("fields"), list):
        raise ServiceError(url, f"metadata that is not a FeatureServer layer's (type {kind!r})")
    fields = tuple(str(f["name"]) for f in meta["fields"])
    object_id = meta.get("objectIdField") or next(
        (str(f["name"]) for f in meta["fields"] if f.get("type") == "esriFieldTypeOID"), None)
    if object_id is None:
        raise ServiceError(url, "a layer without an object id field to page by")
    return LayerInfo(url=url, name=str(meta.get("name", "")), is_table=kind == "Table",
                     max_records=int(meta.get("maxRecordCount") or 1000),
                     object_id=object_id, fields=fields)


def count(layer: LayerInfo, where: str) -> int:
    """How many records ``where`` selects, by the service's own count."""
    url = query_url(layer.url, {"where": where, "returnCountOnly": "true", "f": "json"})
    answer = read_json(url)
    if not isinstance(answer.get("count"), int):
        raise ServiceError(url, f"a count that is not a number: {answer.get('count')!r}")
    return int(answer["count"])


@dataclass(frozen=True)
class Page:
    """One page of a query: its records (GeoJSON features or attribute dicts)."""

    records: list[dict[str, Any]]
    more: bool


def page(layer: LayerInfo, where: str, offset: int, size: int) -> tuple[str, Page]:
    """The page of ``size`` records from ``offset``, ordered by the object id.

    Returns the URL asked (for messages) and the page: GeoJSON features in
    longitude/latitude for layers, attribute dicts for tables.
    """
    params = {"where": where, "outFields": "*", "orderByFields": f"{layer.object_id} ASC",
              "resultOffset": str(offset), "resultRecordCount": str(size)}
    if layer.is_table:
        params |= {"returnGeometry": "false", "f": "json"}
    else:
        params |= {"outSR": "4326", "f": "geojson"}
    url = query_url(layer.url, params)
    answer = read_json(url)
    features = answer.get("features")
    if not isinstance(features, list):
        raise ServiceError(url, "an answer without a features list")
    if layer.is_table:
        if any(not isinstance(f, dict) or not isinstance(f.get("attributes"), dict)
               for f in features):
            raise ServiceError(url, "records without attributes")
        records = [f["attributes"] for f in features]
    else:
        if answer.get("type") != "FeatureCollection":
            raise ServiceError(url, f"GeoJSON that is not a FeatureCollection "
                                    f"(type {answer.get('type')!r})")
        records = features
    # ArcGIS puts the flag at the top of JSON answers and under "properties" in GeoJSON ones
    flags = [answer.get("exceededTransferLimit"),
             (answer.get("properties") or {}).get("exceededTransferLimit")]
    return url, Page(records=records, more=any(flag is True for flag in flags))
