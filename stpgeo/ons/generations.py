"""The two generations of building blocks: the LSOAs of the 2011 and of the 2021 census.

ONS builds every NHS footprint from whole LSOAs: the CCGs, STPs, sub-ICB locations and
ICBs up to July 2022 from the 2011 LSOAs, the sub-ICB locations and ICBs from 2023 from
the 2021 LSOAs. Both carry E01 (W01) codes, and most 2021 LSOAs kept their 2011 code;
the others were split (S), merged (M) or redrawn (X). A table of LSOA codes therefore
says its generation by its field name (``LSOA11CD``, ``lsoa21_code``), or by the codes
only one generation has (:mod:`stpgeo.io.generations` reads them from ONS's bridge
between the two).

Examples
--------
>>> generation_of_field("LSOA21CD"), generation_of_field("lsoa11_code")
(Generation(key='lsoa21', year=2021), Generation(key='lsoa11', year=2011))
>>> LSOA21.title, LSOA21.field
('2021 LSOAs', 'LSOA21CD')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stpgeo.errors import StpgeoError


@dataclass(frozen=True, order=True)
class Generation:
    """A generation of building blocks: the LSOAs of one census.

    Attributes
    ----------
    year
        The census year: 2011 or 2021.
    """

    year: int

    @property
    def key(self) -> str:
        """``'lsoa11'``, ``'lsoa21'``: the catalogue's name for it."""
        return f"lsoa{self.year % 100:02d}"

    @property
    def field(self) -> str:
        """ONS's field name of its codes: ``'LSOA11CD'``."""
        return f"LSOA{self.year % 100:02d}CD"

    @property
    def title(self) -> str:
        """For people: ``'2011 LSOAs'``."""
        return f"{self.year} LSOAs"

    def __repr__(self) -> str:
        return f"Generation(key={self.key!r}, year={self.year})"


LSOA11 = Generation(2011)
LSOA21 = Generation(2021)
#: The generations, oldest first.
GENERATIONS = (LSOA11, LSOA21)

# LSOA11CD, lsoa21cd, lsoa11_code, LSOA21_CODE, lsoa_2011_code
_FIELD = re.compile(r"^lsoa_?(?:20)?(\d{2})_?(?:cd|code)$", re.IGNORECASE)


def generation(value: str | int) -> Generation:
    """A generation by its key (``"lsoa21"``) or census year (2021, 21).

    Raises
    ------
    StpgeoError
        For anything else.

    Examples
    --------
    >>> generation("lsoa21") == generation(2021) == LSOA21
    True
    """
    for known in GENERATIONS:
        if str(value).lower() in (known.key, str(known.year), str(known.year % 100)):
            return known
    raise StpgeoError(f"no generation of building blocks {value!r}",
                      fix="choose lsoa11 (the 2011 LSOAs) or lsoa21 (the 2021 LSOAs)")


def generation_of_field(name: str) -> Generation | None:
    """The generation an LSOA code field's name says, or None (``code``, ``WD24CD``)."""
    match = _FIELD.match(str(name).strip())
    if match is None:
        return None
    year = 2000 + int(match.group(1))
    return next((g for g in GENERATIONS if g.year == year), None)
