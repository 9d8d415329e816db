"""The archive app's models, one module per area."""
from archive.models.bags import BagExport
from archive.models.fixity import FixityCheck, FixityProblem, FixityRun
from archive.models.rights import ReleaseDocument, RightsNotice
from archive.models.tier import TierMove

__all__ = ["BagExport", "FixityCheck", "FixityProblem", "FixityRun", "ReleaseDocument", "RightsNotice", "TierMove"]
