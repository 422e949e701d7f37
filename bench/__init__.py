"""Benchmarks (not tests): data generators, load harnesses and their results. See README.md."""
