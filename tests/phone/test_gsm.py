"""SMS segments counted as a phone counts them: GSM-7 (extension characters take two septets, never
split) against UCS-2 (any other character; surrogate pairs never split), 160/153 and 70/67."""

import pytest

from commonground.phone.gsm import clean, fits, measure, to_gsm


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 0),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # the extension table: two septets each
        ("€" * 81, "GSM-7", 162, 2),
        ("a" * 152 + "€" + "a" * 10, "GSM-7", 164, 2),  # the escape pair is not split: 152 + 2 > 153
        ("a" * 151 + "[" + "a" * 153, "GSM-7", 306, 2),  # 151 + 2 fills the first part exactly
        ("a" * 152 + "[" + "a" * 152, "GSM-7", 306, 3),
        ("ñÑüÜéÉ¿¡àäöÄÖ", "GSM-7", 13, 1),
        ("á", "UCS-2", 1, 1),
        ("á" * 70, "UCS-2", 70, 1),
        ("á" * 71, "UCS-2", 71, 2),
        ("á" * 134, "UCS-2", 134, 2),
        ("á" * 135, "UCS-2", 135, 3),
        ("😀" * 35, "UCS-2", 70, 1),  # a surrogate pair: two units
        ("a" * 66 + "😀" + "a", "UCS-2", 69, 1),
        ("a" * 66 + "😀" + "a" * 4, "UCS-2", 72, 2),  # the pair moves whole to the second part
    ],
)
def test_segments(text, encoding, units, segments):
    length = measure(text)
    assert (length.encoding, length.units, length.segments) == (encoding, units, segments)


def test_accents_gsm_lacks_are_folded_and_the_rest_kept():
    assert to_gsm("Más reunión ¿Dónde? ñ “quotes” – dash") == 'Mas reunion ¿Donde? ñ "quotes" - dash'
    assert measure(to_gsm("Más información")).encoding == "GSM-7"
    assert to_gsm("東京") == "東京"


def test_feed_text_is_cleaned_of_markup_and_control_characters():
    assert clean("Hope <script>x</script> Group\x07\u202e\n\tEnd") == "Hope x Group End"
    assert clean("x" * 100, 10) == "x" * 9 + "…"
    assert fits("a" * 459) and not fits("a" * 460)
