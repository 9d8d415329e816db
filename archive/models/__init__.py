from archive.models.rights import ReleaseDocument, RightsNotice

__all__ = ["ReleaseDocument", "RightsNotice"]
