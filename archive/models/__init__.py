from archive.models.fixity import FixityCheck, FixityProblem, FixityRun
from archive.models.rights import ReleaseDocument, RightsNotice
from archive.models.tier import TierMove

__all__ = ["FixityCheck", "FixityProblem", "FixityRun", "ReleaseDocument", "RightsNotice", "TierMove"]
