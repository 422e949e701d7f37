"""Reads of the support app, restricted to what the reader may see."""
