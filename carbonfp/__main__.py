"""Lets ``python -m carbonfp`` run the command line."""

from carbonfp.cli import app

app(prog_name="carbonfp")
