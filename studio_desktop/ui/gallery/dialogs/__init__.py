"""Dialogs of the gallery commands. All are non-modal (``open()``) and report back through callbacks."""
