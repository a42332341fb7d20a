"""The what-if page (``python -m sim serve``): a screening estimate at once, confirmed by a paired simulation.

``choices`` (what the analyst picked, and the two runs that confirm it), ``paths`` (each office's drawn days on
each lead time's path), ``staffing_estimate`` (the processor-sharing formula, where it holds), ``fitted_estimate``
and ``study_table`` (a monotone curve fitted to a stored strength sweep, with its cross-validated error),
``screening`` (which estimate applies), ``worker`` and ``confirm`` (the confirmation in a process of its own),
``page`` (the Streamlit page) and ``launch`` (starts it).  Needs the ``app`` extra (Streamlit).
"""
