"""Parallel sentences we make ourselves: the human translations inside open-source Python packages.

OMoS-QA has translations in en, ar and uk only, so the query adapter had nothing to learn Turkish,
Russian, Persian or Spanish from. Web frameworks ship their user-interface messages translated by
volunteers into dozens of languages, as gettext catalogues (``locale/<lang>/LC_MESSAGES/*.po``)
inside the wheels on PyPI. Two catalogues of the same package share the English ``msgid``, so
a German and, say, a Persian ``msgstr`` of the same message are a translation pair.

The wheels are pinned by version and sha256 (``WHEELS``) and licensed BSD or MIT; copyleft
packages (pretix, AGPL) are left out. Messages are short UI texts ("This field is required."),
not questions, which is why they are mixed with the OMoS-QA pairs, never used alone.

``gettext_pairs`` returns ``align.Pair`` rows (kind ``"ui"``): the text in one adapter language
and its German version. A fixed 5 % of the messages (by a hash of the ``msgid``) is held out
as ``dev`` so the alignment of the languages OMoS-QA lacks can be checked on unseen messages.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lotse.errors import LotseError

__all__ = ["WHEELS", "PairsError", "UiPairs", "Wheel", "fetch_wheels", "gettext_pairs"]


@dataclass(frozen=True, slots=True)
class Wheel:
    requirement: str
    filename: str
    sha256: str
    licence: str


WHEELS: tuple[Wheel, ...] = (
    Wheel("django==5.2.19", "django-5.2.19-py3-none-any.whl",
          "5965d974a5218a2b68a11dd1276434707f23886525c23f0598eccedaf4f4ca00", "BSD-3-Clause"),
    Wheel("wagtail==8.0.1", "wagtail-8.0.1-py3-none-any.whl",
          "1e6ad5c7891a54efce1400e168298b5a2cc343b642cee89c31bf5ec30c98b26c", "BSD-3-Clause"),
    Wheel("django-oscar==4.2.1", "django_oscar-4.2.1-py3-none-any.whl",
          "adbb95ea0130859c204cc6fb221052d6d437ecbaa90800e8418a809f72645e9c", "BSD-3-Clause"),
    Wheel("sphinx==9.0.4", "sphinx-9.0.4-py3-none-any.whl",
          "5bebc595a5e943ea248b99c13814c1c5e10b3ece718976824ffa7959ff95fffb", "BSD-2-Clause"),
    Wheel("indico==3.2.9", "indico-3.2.9-py3-none-any.whl",
          "194d2e31ccaabd2b9af7809e67d60d942faee35a6b4de36f0c2c280a32ed84c3", "MIT"),
)

_PO = re.compile(r"locale/([A-Za-z_@]+)/LC_MESSAGES/([^/]+)\.po$")
# Placeholders and markup say nothing about meaning and differ between catalogues' conventions.
_MARKUP = re.compile(r"<[^>]+>|%\([^)]*\)[sdif]|%[sdif]|\{[^{}]*\}|&[a-z]+;|[_&](?=\w)")
# What is left of a quoted placeholder: '' or „ “.
_EMPTY_QUOTES = re.compile(r"[\"'„“”‚‘’«»]\s*[\"'„“”‚‘’«»]")
_SPACE = re.compile(r"\s+")


class PairsError(LotseError):
    pass


@dataclass(slots=True)
class UiPairs:
    train: list  # list[align.Pair]
    dev: list
    counts: dict[str, int]


def fetch_wheels(directory: Path, wheels: Iterable[Wheel] = WHEELS) -> list[Path]:
    """Download the pinned wheels (without dependencies) into ``directory`` unless present; check sha256."""

    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for w in wheels:
        path = directory / w.filename
        if not path.exists():
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(directory), w.requirement]
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode or not path.exists():
                # pip's own ERROR lines say why (no such version, index unreachable); its warnings
                # about every configured index do not.
                why = "; ".join(line.removeprefix("ERROR: ") for line in done.stderr.splitlines()
                                if line.startswith("ERROR:")) or done.stderr.strip()[-300:]
                raise PairsError(f"Could not download {w.requirement} from the package index ({why}). "
                                 f"Put {w.filename} into {directory} and retry.")
        if w.sha256:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest != w.sha256:
                raise PairsError(f"{path} has sha256 {digest}, not the pinned {w.sha256}. Delete it and retry.")
        paths.append(path)
    return paths


def _clean(text: str) -> str:
    return _SPACE.sub(" ", _EMPTY_QUOTES.sub(" ", _MARKUP.sub(" ", text))).strip(" :")


def _language(locale: str) -> str | None:
    # de_CH, es_AR and the like are regional variants of a language we already have; skip them
    # so one message does not give two near-identical pairs.
    return locale.lower() if re.fullmatch(r"[a-z]{2}", locale) else None


def _catalogues(paths: Iterable[Path], languages: set[str]) -> dict[tuple[str, str, str], dict[str, str]]:
    from babel.messages.pofile import read_po

    messages: dict[tuple[str, str, str], dict[str, str]] = {}
    for path in paths:
        with zipfile.ZipFile(path) as z:
            for name in sorted(z.namelist()):
                m = _PO.search(name)
                lang = _language(m.group(1)) if m else None
                if not m or lang not in languages:
                    continue
                # Babel prints a warning per odd line of a catalogue (plural forms beyond the
                # catalogue's count) to stdout, where the CLI writes its result; those entries
                # still parse, so the warnings are dropped.
                with contextlib.redirect_stdout(io.StringIO()):
                    catalogue = read_po(io.BytesIO(z.read(name)))
                for msg in catalogue:
                    mid = msg.id if isinstance(msg.id, str) else msg.id[0]
                    text = msg.string if isinstance(msg.string, str) else (msg.string or ("",))[0]
                    if not mid or not text or msg.fuzzy:
                        continue
                    key = (f"{path.name}:{m.group(2)}", msg.context or "", mid)
                    messages.setdefault(key, {"en": mid})[lang] = text
    return messages


def gettext_pairs(paths: Iterable[Path], languages: tuple[str, ...], *, min_chars: int = 16,
                  dev_share: float = 0.05) -> UiPairs:
    """German ↔ ``languages`` translation pairs from the wheels' gettext catalogues."""

    from lotse.model.align import Pair

    messages = _catalogues(paths, {"de", *languages})
    train: list = []
    dev: list = []
    seen: set[tuple[str, str]] = set()
    counts: dict[str, int] = {lang: 0 for lang in languages}
    for (_, _, mid), texts in sorted(messages.items()):
        german = _clean(texts.get("de", ""))
        if len(german) < min_chars:
            continue
        held_out = int(hashlib.sha256(mid.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < dev_share
        for lang in languages:
            text = _clean(texts.get(lang, ""))
            # An untranslated message copies the English (or the German) text: no pair.
            if not text or text == german or (lang != "en" and text == _clean(mid)) or (text, german) in seen:
                continue
            seen.add((text, german))
            (dev if held_out else train).append(Pair(text, german, "ui", lang))
            counts[lang] += 1
    counts["train"], counts["dev"] = len(train), len(dev)
    return UiPairs(train, dev, counts)
