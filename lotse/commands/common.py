"""What every ``lotse`` command shares: the consoles, the settings and the way a command fails."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from lotse.errors import LotseError
from lotse.settings import Settings

__all__ = ["AnswerLanguage", "DataDir", "err", "fail", "load_settings", "out", "served"]

out = Console()
err = Console(stderr=True, soft_wrap=True)  # whole lines: messages are read and grepped

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Index and session folder. Default: $LOTSE_DATA_DIR, else ./lotse-data."),
]

AnswerLanguage = Annotated[
    str | None,
    typer.Option("--language", "-l", help="Answer in this language (ISO 639-1, e.g. en), whatever the "
                                          "question reads as: \"How do I get a Kita-Platz?\" reads as German."),
]


def served(language: str | None) -> str | None:
    """``language`` if we serve it; else the usage error names the ones we do."""
    from assistant.language import served_language

    try:
        return served_language(language)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--language") from exc


def load_settings(data_dir: Path | None = None, **overrides: object) -> Settings:
    """The settings from the environment, with the command's options on top; a bad LOTSE_ variable
    ends the command with its name and the problem, no traceback."""
    from pydantic import ValidationError

    try:
        s = Settings()
    except ValidationError as exc:
        problems = "; ".join(f"LOTSE_{'_'.join(str(x) for x in e['loc']).upper()}={e.get('input')!r}: {e['msg']}"
                             for e in exc.errors())
        raise fail(LotseError(f"Invalid setting: {problems}.")) from None
    update = {k: v for k, v in {"data_dir": data_dir, **overrides}.items() if v is not None}
    return s.model_copy(update=update) if update else s


def fail(exc: Exception) -> typer.Exit:
    """Print ``exc`` as the command's error and return the exit to raise (code 1)."""
    err.print(f"[bold red]Error:[/] {exc}", highlight=False)
    return typer.Exit(code=1)
