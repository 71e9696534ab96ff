"""The ``lotse`` sub-command groups that outgrew ``lotse/cli.py``, and what all commands share."""
