"""Errors the policy package raises; callers (CLI, web forms) turn them into messages."""


class PolicyError(Exception):
    """Base class for everything this package raises on purpose."""


class InputError(PolicyError, ValueError):
    """A household record is unusable; names the record and the field so the user can fix it."""

    def __init__(self, record, field, message):
        self.record = record
        self.field = field
        self.message = message
        super().__init__(f"record {record!s}: field {field}: {message}")

    def to_dict(self):
        return {"record": self.record, "field": self.field, "message": self.message}


class ParameterError(PolicyError, LookupError):
    """A parameter pack is missing, malformed, or has no value at the requested date."""


class InvalidIdNumber(PolicyError, ValueError):
    """A resident ID number fails GB 11643; `reason` is a stable code for messages."""

    def __init__(self, reason, message=None):
        self.reason = reason
        super().__init__(message or reason)
