"""The one calculation engine: resolve any input into a line table, evaluate it into declarations.

Every path (one project, many projects, a long BOM, Monte Carlo, compare, estimate, explain) is
the same two steps: :func:`carbonfp.engine.resolve.resolve` turns raw lines and their batteries
into a :class:`carbonfp.engine.resolve.LineTable`; :func:`carbonfp.engine.evaluate.evaluate`
turns that table into declarations, with an optional draws axis for Monte Carlo.
"""
