"""One-line error messages (CLI errors, sensor skip reasons, run failures) and the errors the
command line reports that way."""


def first_line(error: BaseException) -> str:
    """The first line of an error's message, or its type's name when the message is empty."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class UnknownPartitionError(ValueError):
    """A day a job has no partition for (after tomorrow, or before the PMU archive starts)."""
