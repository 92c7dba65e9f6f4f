"""Benchmarks: run the real bot against fakegram under load (``python bench/registration.py``)."""
