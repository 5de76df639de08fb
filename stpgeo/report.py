"""The overlap report (public facade): :func:`write_report`.

The report lives in :mod:`stpgeo.outputs.report`; this module keeps the short
public name ``stpgeo.report``.

Examples
--------
>>> from stpgeo.report import write_report
>>> write_report("out/demo", "out/birmingham", council="Birmingham")  # doctest: +SKIP
"""

from stpgeo.outputs.report import render_report, write_report

__all__ = ["render_report", "write_report"]
