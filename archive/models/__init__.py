from archive.models.tier import TierMove

__all__ = ["TierMove"]
