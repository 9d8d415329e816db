from archive.models.fixity import FixityCheck, FixityProblem, FixityRun

__all__ = ["FixityCheck", "FixityProblem", "FixityRun"]
