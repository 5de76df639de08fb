"""``stpgeo fetch --check``: does every source of each product still answer? Nothing is
downloaded.

Each source (the first and every fallback) is asked the least that shows it holds
the product:

- ``arcgis``: the layer's metadata (``?f=json``) and its count (``returnCountOnly``),
  compared with the catalogue's ``rows`` / ``features``;
- ``ckan``: data.gov.uk's ``package_show``, whether a CSV resource exists, and the
  first bytes of that resource;
- ``file`` and ``parts``: the first bytes of the file (of the first part), a ranged GET.

The outcome is said in plain words: ``answers (N records)``, ``moved or withdrawn:
<what came back>``, ``count differs: service has N, catalogue expects M``, ``not
reachable: <what>``, ``unexpected answer: <what>`` or ``no address known``. What a user
runs first on a new network, and what maintainers run to keep the catalogue true.

Examples
--------
>>> short("https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services/"
...       "CCG19_STP19_EN_LU/FeatureServer/0")
'services1.arcgis.com/…/CCG19_STP19_EN_LU'
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from stpgeo.io import arcgis
from stpgeo.io.catalogue import Catalogue, load_catalogue
from stpgeo.io.fetch import products, usable
from stpgeo.io.sources import Product, address, ckan_resource, mirrored
from stpgeo.io.web import Retry, ServiceError, describe_bytes, get

Outcome = Literal["answers", "moved", "count differs", "not reachable", "unexpected",
                  "no address"]
_OUTCOMES: dict[str, Outcome] = {"moved": "moved", "transient": "not reachable",
                                 "unreachable": "not reachable"}
#: A check tries a busy server twice, not five times: it is a quick look.
CHECK_RETRY = Retry(tries=2, first_delay_s=2.0)


@dataclass(frozen=True)
class SourceCheck:
    """What one source of one product answered."""

    product: str
    number: int
    source: str
    outcome: Outcome
    said: str

    @property
    def ok(self) -> bool:
        return self.outcome == "answers"


def short(url: str) -> str:
    """A short form of an address, for a table: its host and its last meaningful part."""
    split = urllib.parse.urlsplit(url)
    if not split.netloc:
        return url
    parts = [p for p in split.path.split("/") if p]
    if "rest" in parts and "services" in parts:  # .../services/<name>/FeatureServer/0
        name = parts[parts.index("services") + 1:][:1]
        return f"{split.netloc}/…/{name[0]}" if name else split.netloc
    tail = parts[-1] if parts else ""
    return f"{split.netloc}/…/{tail}" if len(parts) > 1 else f"{split.netloc}/{tail}"


def check(names: Iterable[str] = (), *, mirror: str | None = None,
          catalogue: Catalogue | None = None, retry: Retry = CHECK_RETRY
          ) -> list[SourceCheck]:
    """Ask every source of each product named whether it still holds the product.

    Parameters
    ----------
    names
        Catalogue keys, ``demo`` (the default), ``today`` or ``all``, as
        :func:`~stpgeo.io.fetch.fetch` takes them.
    mirror
        Replaces the scheme and host of every address.
    catalogue
        The catalogue to read (default: :func:`~stpgeo.io.catalogue.load_catalogue`).
    retry
        How a busy server is tried again.

    Returns
    -------
    list of SourceCheck
        One per source, in the catalogue's order (one ``no address`` row for a product
        without any).

    Examples
    --------
    >>> [c.outcome for c in check(["lsoa_2011"])]  # doctest: +SKIP
    ['answers']
    """
    catalogue = catalogue or load_catalogue()
    found: list[SourceCheck] = []
    for product in products(names, catalogue):
        sources = usable(product)
        if not sources:
            found.append(SourceCheck(product.key, 1, "none", "no address",
                                     str(product.source.get("note", "none was found"))))
        for number, source in sources:
            found.append(_check_one(product, number, source, mirror, retry))
    return found


def _check_one(product: Product, number: int, source: dict[str, Any], mirror: str | None,
               retry: Retry) -> SourceCheck:
    label = f"{source['kind']} {short(address(source))}"
    try:
        outcome, said = _ask(product, source, mirror, retry)
    except ServiceError as error:
        outcome = _OUTCOMES.get(error.kind, "unexpected")
        said = error.what
    return SourceCheck(product.key, number, label, outcome, said)


def _ask(product: Product, source: dict[str, Any], mirror: str | None, retry: Retry
         ) -> tuple[Outcome, str]:
    kind = source["kind"]
    if kind == "arcgis":
        layer = arcgis.layer_info(mirrored(source["service"], mirror), retry)
        count = arcgis.count(layer, str(source.get("where", "1=1")), retry)
        if product.expected is not None and count != product.expected:
            return "count differs", (f"service has {count:,}, catalogue expects "
                                     f"{product.expected:,}")
        return "answers", f"{count:,} records"
    if kind == "ckan":
        url = ckan_resource(source["dataset"], mirror, retry)
        return "answers", f"a CSV resource; {_first_bytes(url)}"
    if kind == "parts":
        parts = list(source["parts"])
        url = mirrored(str(source["url"]).format(part=parts[0]), mirror)
        return "answers", f"{len(parts)} parts; the first: {_first_bytes(url)}"
    if kind == "file":
        return "answers", _first_bytes(mirrored(source["url"], mirror))
    return "unexpected", f"an unknown source kind {kind!r}"


def _first_bytes(url: str) -> str:
    """The first bytes of a file (a ranged GET), refused when they are a web page."""
    with get(url, headers={"Range": "bytes=0-511"}) as answer:
        head = answer.read(512)
        whole = (answer.headers.get("Content-Range") or "").rpartition("/")[2] or \
            answer.headers.get("Content-Length")
    if head.lstrip()[:1] == b"<":
        raise ServiceError(url, f"a web page, not the file: {describe_bytes(head)}",
                           kind="moved")
    size = f"{int(whole) / 1e6:,.1f} MB" if whole and whole.isdigit() else "size not said"
    return f"a file ({size})"


def describe(checks: list[SourceCheck]) -> str:
    """The table ``stpgeo fetch --check`` prints: product, source, outcome."""
    if not checks:
        return "no products to check"
    width = max(len(c.product) for c in checks) + 2
    source_width = min(max(len(c.source) for c in checks), 60) + 2
    lines = [f"{'product':<{width}}{'#':<3}{'source':<{source_width}}outcome"]
    for c in checks:
        words = {"answers": f"answers ({c.said})", "moved": f"moved or withdrawn: {c.said}",
                 "count differs": f"count differs: {c.said}",
                 "not reachable": f"not reachable: {c.said}",
                 "unexpected": f"unexpected answer: {c.said}",
                 "no address": f"no address known ({c.said})"}[c.outcome]
        lines.append(f"{c.product:<{width}}{c.number:<3}{c.source:<{source_width}}{words}")
    bad = sum(not c.ok for c in checks)
    lines.append(f"{len(checks) - bad} of {len(checks)} sources answer" +
                 (f"; {bad} do not: `stpgeo fetch` tries each product's sources in "
                  "turn (# 1 first)" if bad else ""))
    return "\n".join(lines)
