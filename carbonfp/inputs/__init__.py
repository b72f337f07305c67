"""Readers of user files: projects, BOMs, energy, transport, long BOMs, supplier footprints."""
