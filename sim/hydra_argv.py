"""The Hydra command line as Hydra reads it: its own flags, its ``hydra.*`` overrides, the model's.

Hydra has no public API for this, so the command line is read by Hydra's own argument parser
(``hydra._internal.utils.get_args_parser``), not by a copy of its flags: abbreviations argparse accepts
(``--multi``, ``--cf job``) mean what they mean to Hydra, a Hydra upgrade that adds a flag is followed, and one
that changes the parser fails ``tests/system/test_sweep.py`` loudly.
"""
from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from typing import NoReturn, Optional

from hydra._internal.utils import get_args_parser

# what the command line means is read by Hydra's own parser, so abbreviations (``--multi``, ``--cf``) count too;
# these are the namespace names this module reads, pinned by tests/system/test_sweep.py
READS = ("overrides", "run", "multirun", "cfg", "info", "shell_completion", "help", "hydra_help", "experimental_rerun")


class ArgvError(ValueError):
    """A command line Hydra's parser refuses (its own message, without the usage text)."""


@dataclass(frozen=True)
class Command:
    """What Hydra's parser reads from a command line: the overrides (one run of words), the multirun flag, and
    whether Hydra only prints (``--cfg``, ``--info``, ``--help``, ``-sc``, ...; abbreviations such as ``--cf``
    included, since argparse takes them)."""

    overrides: list[str]
    multirun: bool
    prints_only: bool
    completion: bool = False  # -sc: its words (install=bash) are the completion plugin's, not config keys


class _Exit(Exception):
    pass


def parse(argv: list[str]) -> Command:
    """``argv`` read exactly as Hydra will read it (its own parser), or :class:`ArgvError` in one line."""
    parser = get_args_parser()

    def error(message: str) -> NoReturn:
        raise ArgvError(message)

    def stop(status: int = 0, message: Optional[str] = None) -> NoReturn:
        raise _Exit()  # --version: Hydra prints it; nothing runs

    parser.error = error  # type: ignore[method-assign]
    parser.exit = stop  # type: ignore[method-assign]
    parser._print_message = lambda message, file=None: None  # type: ignore[method-assign]
    try:
        ns = parser.parse_args(argv)
    except _Exit:
        return Command([], False, True)  # --version
    except ArgvError as e:  # two modes together is the first thing to fix, even where overrides are split as well
        try:
            known = parser.parse_known_args(argv)[0]
        except (ArgvError, _Exit):
            raise e from None
        _one_mode(known)
        raise
    _one_mode(ns)
    if ns.experimental_rerun is not None:  # Hydra's rerun of a pickled job bypasses every check and folder rule
        raise ArgvError("--experimental-rerun is not supported; allowed: run the job's overrides again "
                        "(its .hydra/overrides.yaml), or a sweep with run.resume=true")
    prints = bool(ns.cfg or ns.info or ns.help or ns.hydra_help or ns.shell_completion)
    return Command(list(ns.overrides), bool(ns.multirun), prints, bool(ns.shell_completion))


def _one_mode(ns: argparse.Namespace) -> None:
    modes = [flag for flag, on in (("--run", ns.run), ("--multirun", ns.multirun), ("--cfg", ns.cfg),
                                   ("--info", ns.info), ("--shell-completion", ns.shell_completion)) if on]
    if len(modes) > 1:  # Hydra's own rule, which it reports with a traceback
        raise ArgvError(f"{' and '.join(modes)} together; allowed: only one of --run, --multirun, --cfg, --info "
                        "and --shell-completion (print a sweep's config with: python -m sim --cfg job ...)")


def split_argv(argv: list[str]) -> tuple[list[str], bool]:
    """Overrides that concern the model (not Hydra's own flags or hydra.* keys) and the multirun flag."""
    command = parse(argv)
    return [o for o in command.overrides if not re.match(r"^[+~]*hydra[./=]", o)], command.multirun


def hydra_overrides(argv: list[str]) -> list[str]:
    """The overrides of Hydra's own config (hydra.* keys and hydra/ groups), not the values of its flags
    (``-p hydra.launcher`` names a package to print)."""
    return [o for o in parse(argv).overrides if re.match(r"^[+~]*hydra[./]", o)]


def with_override(argv: list[str], key: str, line: str) -> list[str]:
    """``argv`` with ``line`` as its override of ``key`` (replacing any the user gave), placed among the other
    overrides: Hydra's parser takes overrides only as one run of words, so one after a trailing ``-m`` is refused."""
    overrides = parse(argv).overrides
    n = len(overrides)
    kept = [o for o in overrides if o.lstrip("+~").split("=", 1)[0] != key]
    for i in range(len(argv) - n + 1):  # the run of words that are the overrides (not a flag's value)
        if argv[i:i + n] == overrides:
            out = argv[:i] + [*kept, line] + argv[i + n:]
            if parse(out).overrides == [*kept, line]:
                return out
    raise ArgvError(f"cannot place {line} among the overrides of {argv}")  # parse(argv) found them: unreachable
