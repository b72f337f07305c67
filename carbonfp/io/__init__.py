"""Readers that turn files into model objects, and writers that turn a Declaration into files."""
