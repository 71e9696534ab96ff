"""The web front: static files only (no build step), served by ``api/web.py``.

- ``widget.js`` / ``widget.css``: the chat widget, embedded with one script tag (Shadow DOM);
- ``console.html`` / ``console.js`` / ``console.css``: the call-centre search console;
- ``demo.html`` / ``demo.css``: a page that looks like a bochum.de page, with the widget on it.
"""

from pathlib import Path

__all__ = ["ASSETS"]

ASSETS = Path(__file__).resolve().parent
