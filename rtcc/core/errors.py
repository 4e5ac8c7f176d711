"""The one shape of a refusal: which field, a short reason code, and words for people."""


class FieldError(ValueError):
    """Bad input named precisely: `field` is a path into the input, `reason` a snake_case code."""

    def __init__(self, field: str, reason: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = reason
        self.message = message
