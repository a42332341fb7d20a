"""The Hydra command line, word by word: Hydra's own flags and their values, its ``hydra.*`` overrides, the model's.

Hydra has no public API for this, so the flags are read from Hydra's own argument parser
(``hydra._internal.utils.get_args_parser``), not copied: a Hydra upgrade that adds a flag is followed, and one
that changes the parser fails ``tests/system/test_sweep.py`` loudly.
"""
from __future__ import annotations

import re

from hydra._internal.utils import get_args_parser

_PARSER = get_args_parser()
# Hydra's own command-line flags that take a value (``--info``'s is optional: INFO_CHOICES), and its multirun flag
FLAGS_WITH_VALUE = frozenset(o for a in _PARSER._actions if a.option_strings and a.nargs != 0 for o in a.option_strings)
MULTIRUN_FLAGS = frozenset(next(a for a in _PARSER._actions if "--multirun" in a.option_strings).option_strings)


def split_argv(argv: list[str]) -> tuple[list[str], bool]:
    """Overrides that concern the model (not Hydra's own flags or hydra.* keys) and the multirun flag."""
    overrides, multirun = [], False
    for arg in _arguments(argv):
        if arg in MULTIRUN_FLAGS:
            multirun = True
        elif arg.startswith("-") or re.match(r"^[+~]*hydra[./=]", arg):
            continue
        else:
            overrides.append(arg)
    return overrides, multirun


def hydra_overrides(argv: list[str]) -> list[str]:
    """The overrides of Hydra's own config (hydra.* keys and hydra/ groups), not the values of its flags
    (``-p hydra.launcher`` names a package to print)."""
    return [a for a in _arguments(argv) if re.match(r"^[+~]*hydra[./]", a)]


INFO_CHOICES = frozenset(next(a for a in _PARSER._actions if "--info" in a.option_strings).choices or ())


def _flag_values(argv: list[str]) -> set[int]:
    """Positions in ``argv`` of the values of Hydra's flags that take one (``--info``'s is optional)."""
    out: set[int] = set()
    for i, arg in enumerate(argv):
        if i in out:
            continue
        if arg in ("--info", "-i"):
            if i + 1 < len(argv) and argv[i + 1] in INFO_CHOICES:
                out.add(i + 1)
        elif arg in FLAGS_WITH_VALUE:
            out.add(i + 1)
    return out


def _arguments(argv: list[str]) -> list[str]:
    """``argv`` without the values of Hydra's flags that take one."""
    values = _flag_values(argv)
    return [arg for i, arg in enumerate(argv) if i not in values]


def with_override(argv: list[str], key: str, line: str) -> list[str]:
    """``argv`` with ``line`` as its override of ``key`` (replacing any the user gave), placed among the other
    overrides: Hydra's parser takes overrides only as one run of words, so one after a trailing ``-m`` is refused."""
    values = _flag_values(argv)
    out: list[str] = []
    last = -1
    for i, arg in enumerate(argv):
        if i not in values and not arg.startswith("-"):
            if arg.lstrip("+~").split("=", 1)[0] == key:
                continue
            last = len(out)
        out.append(arg)
    return out[:last + 1] + [line] + out[last + 1:]


# Hydra flags after which nothing runs (only printing): the output folder is neither checked nor touched
PRINT_ONLY = {"--cfg", "-c", "--info", "-i", "--help", "-h", "--hydra-help", "--shell-completion", "-sc",
              "--version"}
