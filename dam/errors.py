"""Domain errors that services raise and every interface understands."""


class StateConflict(Exception):
    """The action is not allowed in the object's current state; the API answers 409 with this message."""


class Gone(Exception):
    """The thing existed but is no longer available (an expired or used-up share link): 410."""
