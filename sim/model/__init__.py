"""The FMS model: what a case is, how it moves, and the parameters and reforms that shape it.

It owns the typed parameter schema (``params``) and every rule on its values (``checks``,
``checks_workload``), cases, documents and their attributes drawn once at creation (``entities``, with the
amendment and modification times of ``document_plan``), FMS and BPC LOR arrivals (``arrivals``), reforms as levers
(``reform``), staffing plans over time (``staff_plans``), :class:`~sim.model.fms_model.FmsModel` (one
replication) and ``process/``, one module per stage of the case flow, written against the small
:class:`~sim.model.context.StageContext` protocol.  It may import ``sim.engine`` and nothing else of
``sim``; it reads no file and no config.
"""
from sim.model.checks import validate_params
from sim.model.fms_model import FmsModel
from sim.model.params import Params

__all__ = ["FmsModel", "Params", "validate_params"]
