"""The report error: a bad template or format, named precisely, raised before any analysis work when possible."""

from __future__ import annotations


class ReportError(Exception):
    """A report cannot be produced (unknown format, unreadable or invalid template)."""
