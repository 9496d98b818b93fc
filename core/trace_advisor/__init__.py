"""trace-advisor: where OpenTelemetry spans belong in Python code, why, and the edits that add them."""

__version__ = "0.1.0"
