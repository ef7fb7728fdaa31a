"""Handlers of the local SI DMP, one module per transaction family."""
