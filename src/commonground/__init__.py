"""Common Ground: find the recovery support group that fits, and a meeting to attend today."""

__version__ = "0.1.0"
