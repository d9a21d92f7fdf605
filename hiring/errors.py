"""Domain errors that are not about one field's value."""


class ConflictError(Exception):
    """The request lost a race or repeats a one-time action (a stale version, a second submit).
    The API answers 409; nothing was written."""
