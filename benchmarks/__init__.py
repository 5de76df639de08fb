"""stpgeo's benchmarks (issue 7): stpgeo against geopandas and tobler on the real data.

``python -m benchmarks`` (``make bench``) runs every comparison several times on
the national data and prints, then writes to ``benchmarks/results.md``, the median
times and ratios; each comparison first checks that both sides give the same answer.
The smoke test (``tests/test_benchmarks_smoke.py``) runs the same code paths once
on the West Midlands. Timings are never asserted in tests.

Modules: :mod:`.inputs` (the layers), :mod:`.area` (the data directory of the area),
:mod:`.timing` (repeats and medians), :mod:`.children` (commands in child processes),
:mod:`.same` (equality checks), :mod:`.overlaps` and :mod:`.footprints` (the
comparisons), :mod:`.speed` (the demo cold and warm against :mod:`.plain`, a plain
geopandas pipeline; one council; growth with the work), :mod:`.without_shortcuts` (the
demo without cache and block shortcut, for the checks), :mod:`.demo` (the maps),
:mod:`.report` (the table and results.md).
"""
