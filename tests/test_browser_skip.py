"""Tests marked ``browser`` are skipped with a reason when Chromium is missing, never failed."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = Path(__file__).with_name("conftest.py")


def _run_browser_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, path: str
) -> pytest.RunResult:
    pytester.makeconftest(CONFTEST.read_text())
    pytester.makeini("[pytest]\nmarkers =\n    browser: needs a headless Chromium\n")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.browser
        def test_renders(chromium_path):
            assert chromium_path
        """
    )
    monkeypatch.setenv("PATH", path)
    return pytester.runpytest("-rs", "-p", "no:cacheprovider", "-p", "no:asyncio")


def test_browser_test_is_skipped_without_chromium(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = pytester.mkdir("no-browser-here")
    result = _run_browser_test(pytester, monkeypatch, str(empty))
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*no Chromium installed*"])


def test_browser_test_runs_when_chromium_is_on_the_path(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = pytester.mkdir("bin")
    fake = bin_dir / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    result = _run_browser_test(pytester, monkeypatch, str(bin_dir))
    result.assert_outcomes(passed=1)
