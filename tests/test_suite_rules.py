"""Rules of the suite itself: on CI a missing browser driver fails the run instead of skipping it."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from live import ROOT

WITHOUT_PLAYWRIGHT = """
import sys
sys.modules["playwright"] = None  # as if it were not installed: importing it raises ModuleNotFoundError
import pytest
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "-p", "no:randomly", "tests/test_browser.py", "-k", "german"]))
"""


def collect_without_playwright(ci: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CI": ci}
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_PLAYWRIGHT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_missing_playwright_fails_the_browser_tests_on_ci():
    result = collect_without_playwright("true")
    assert result.returncode == 2, result.stdout
    assert "No module named 'playwright.sync_api'" in result.stdout
    assert "skipped" not in result.stdout


def test_missing_playwright_skips_the_browser_tests_elsewhere():
    result = collect_without_playwright("false")
    assert result.returncode == 5, result.stdout  # pytest's "no tests ran": the module was skipped
    assert re.fullmatch(r"1 skipped in [0-9.]+s", result.stdout.splitlines()[-1])
