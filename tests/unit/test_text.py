from lotse.text import slugify, split_sentences


def sentences(t: str) -> list[str]:
    return [t[a:b] for a, b in split_sentences(t)]


def test_abbreviations_dates_and_lines() -> None:
    t = "Die Kita öffnet am 1. Januar um 8 Uhr. Anmeldung z. B. online! Fragen?  Rufen Sie an.\n• Punkt"
    assert sentences(t) == ["Die Kita öffnet am 1. Januar um 8 Uhr.", "Anmeldung z. B. online!", "Fragen?",
                            "Rufen Sie an.", "• Punkt"]


def test_spans_are_valid_offsets() -> None:
    t = "  Erster Satz.   Zweiter Satz؟ ثالث.\n\n"
    for a, b in split_sentences(t):
        assert 0 <= a < b <= len(t)
        assert t[a:b] == t[a:b].strip()


def test_slugify() -> None:
    assert slugify("Richtungsweisende frühkindliche Bildung") == "richtungsweisende-fruehkindliche-bildung"
