"""Output: run directories and everything drawn or written from saved results.

It owns reading and writing a run directory (``run_dir``: Parquet tables, ``summary.json``,
``manifest.json``), gathering a multirun's jobs (``multirun``), the figures of one run
(``run_figures``) and of a multirun report (``report_figures``), the self-contained report page
(``report_html``), the shared figure conventions (``plotting``: matplotlib's object-oriented API) and
number formatting (``formatting``).  Figures and pages are made from saved results, never from a live
run.  It may import ``sim.analysis`` and ``sim.engine`` (the clock), never the commands above it.
"""
