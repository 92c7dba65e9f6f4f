"""Tools run from the repository (``python scripts/<name>.py``); importable as ``scripts.<name>`` too."""
