import pytest

from analysis.analysers import registry
from tests.analysis import fakes


@pytest.fixture
def fake_analyser(settings, monkeypatch):
    """Only the fake analyser runs, on every upload, synchronously (the test settings run jobs in process)."""
    monkeypatch.setitem(registry.ANALYSERS, "fake", "tests.analysis.fakes.FakeAnalyser")
    monkeypatch.setitem(registry.REQUIRES, "fake", ())
    settings.DAM_ANALYSERS = ["fake"]
    registry.forget()
    fakes.OUTCOMES.clear()
    fakes.CALLS.clear()
    yield fakes
    registry.forget()
