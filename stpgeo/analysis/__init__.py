"""The analysis pipeline: inputs checked once, the engine run once, results assembled.

:func:`~stpgeo.analysis.pipeline.analyse` and
:func:`~stpgeo.analysis.pipeline.analyse_many` return
:class:`~stpgeo.analysis.result.Analysis` objects, which read and write result
folders.
"""
