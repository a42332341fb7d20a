"""sim.output.formatting: the one place numbers are written for people."""
from __future__ import annotations

import math

from sim.output.formatting import digits_for, interval, number, table_value


def test_number_separators_sign_digits_and_missing_values():
    assert number(12345.678) == "12,346"
    assert number(12345.678, 1, thousands=False) == "12345.7"
    assert number(-3.25, 1, sign=True) == "-3.2" and number(3.25, 2, sign=True) == "+3.25"
    assert number(None) == "–" and number(math.nan, dash="-") == "-"


def test_interval_uses_the_digits_its_ends_need():
    assert digits_for(9.99) == 1 and digits_for(10.0) == 0
    assert interval(1.234, 5.0) == " [1.2, 5.0]"
    assert interval(-12.0, 30.0, sign=True) == " [-12, +30]"
    assert interval(math.nan, 3.0) == ""


def test_table_value_for_the_validation_tables():
    assert table_value(None) == "-"
    assert table_value(True) == "yes" and table_value(False) == "no"
    assert table_value(0.123456, 3) == "0.123"
    assert table_value(15365.4) == "15,365"
