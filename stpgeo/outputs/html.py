"""stpgeo's HTML templates: the Jinja2 environment and its filters.

The report (:mod:`.report`) and the notebook views (:mod:`.display`) are rendered
from the templates in ``stpgeo/outputs/templates/`` (package data), with HTML
autoescaped and two filters: ``number`` (``12,345``; empty for missing values) and
``share`` (a fraction as ``12.3%``).

Examples
--------
>>> environment().from_string("{{ 0.1234 | share }} of {{ 12345 | number }}").render()
'12.3% of 12,345'
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
import pandas as pd


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment for stpgeo's templates (HTML autoescaped)."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("stpgeo.outputs", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]),
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters["number"] = number
    env.filters["share"] = share
    return env


def number(value: Any) -> str:
    """A count or figure for people: ``12,345``, ``0.5``; empty when missing."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def share(value: Any) -> str:
    """A fraction 0..1 as a percentage with one decimal; empty when missing."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    return f"{100 * float(value):.1f}%"
