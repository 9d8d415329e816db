"""What the content-analysis screens read of the analysers, guarded so that a broken install never breaks a page."""
from __future__ import annotations

import logging

from analysis import selectors

logger = logging.getLogger(__name__)


def overview() -> list[selectors.AnalyserOverview]:
    """The analysers as the selectors see them; none, logged, when one's module cannot be imported, so that a
    broken install shows content analysis as off instead of failing every asset page."""
    try:
        return selectors.analysers_overview()
    except ImportError:
        logger.exception("An analyser's module could not be imported; content analysis is shown as off.")
        return []
