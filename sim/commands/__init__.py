"""The commands: thin layers over the library that read the command line and write files.

* :mod:`sim.commands.run`: ``python -m sim`` / ``fms-sim`` (a run or a multirun under Hydra), which routes the others;
* :mod:`sim.commands.report`: ``fms-sim report <multirun dir>`` (compare a multirun's jobs);
* :mod:`sim.commands.validate`: ``fms-sim validate`` (verification and calibration tables);
* :mod:`sim.commands.figures`: ``fms-sim figures <run dir>`` (redraw a run's figures from its files).

``python -m sim <subcommand>`` is the same as ``fms-sim <subcommand>``.
"""
