"""Analysis: pure functions from replication tables to the numbers fms-sim reports.

It owns the Student-t interval (``intervals``), the reported measures (``metrics``), lead times and
outcomes (``lead_times``), pool statistics (``pools``), time dynamics and the warm-up check
(``dynamics``), stage waits and work (``stages``), the summary of a run and the typed schema of
``summary.json`` (``summary``, ``summary_schema``), value and documents by fiscal year, the open value and
DSCA's LOA metric (``workload``), the paired comparison of a multirun's jobs
(``comparison``), sensitivity designs and PRCC (``sensitivity``) and the calibration table
(``calibration``).  Tables in, numbers out: no file IO, no plotting, no simulation.  It may import
``sim.model`` (stage names) and ``sim.engine`` (the clock), nothing above them.
"""
