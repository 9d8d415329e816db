"""The archive app's models, one module per area."""
from archive.models.bags import BagExport
from archive.models.fixity import FixityCheck, FixityProblem, FixityRun
from archive.models.retention import BinEntry, LegalHold, RetentionRule, RetentionRun
from archive.models.rights import ReleaseDocument, RightsNotice
from archive.models.tier import TierMove

__all__ = ["BagExport", "BinEntry", "FixityCheck", "FixityProblem", "FixityRun", "LegalHold", "ReleaseDocument",
           "RetentionRule", "RetentionRun", "RightsNotice", "TierMove"]
