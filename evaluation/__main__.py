"""``python -m evaluation``: the same commands as ``lotse eval``."""

from evaluation.cli import eval_app

eval_app(prog_name="lotse eval")
