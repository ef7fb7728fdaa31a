"""The root of dmpkit's exception hierarchy.

Every error dmpkit raises on purpose derives from :class:`DmpkitError`, so a caller can
catch the whole family in one place and still branch on the precise subclass.
"""

from __future__ import annotations


class DmpkitError(Exception):
    """Base class of every error raised by dmpkit on purpose."""
