"""The WPT conformance suite as a pytest module (not collected unless named):

pytest --pyargs webnn_conformance.wpt_suite --webnn-backend torch
"""

from __future__ import annotations

from webnn_conformance.pytest_plugin import WptCase, check_case


def test_wpt(wpt_case: WptCase) -> None:
    check_case(wpt_case)
