"""Benchmarks at the scale of a département, on PostgreSQL: ``python -m bench`` (see bench/README.md).

They live outside the test suite on purpose: tests never assert a time.
"""
