"""Meeting type codes are program-scoped and map onto one unified tag vocabulary."""

from commonground.meetings import types


def test_the_same_code_means_different_things_in_different_programs():
    assert types.type_name("aa", "A") == "Secular"
    assert types.type_name("aca", "A") == "Age Restricted 18+"
    assert types.tags_for("aa", ["A"]) == ["secular"]
    assert types.tags_for("aca", ["A"]) == []


def test_aa_codes_map_to_tags():
    assert types.tags_for("aa", ["O", "W", "X", "BE", "ST", "LGBTQ", "ASL", "BA"]) == [
        "open",
        "women",
        "lgbtq",
        "newcomer",
        "study",
        "wheelchair",
        "asl",
        "childcare",
    ]
    assert types.tags_for("aa", ["C", "SP", "D", "11"]) == ["closed", "speaker", "discussion", "meditation"]


def test_al_anon_young_means_alateen():
    assert types.type_name("al-anon", "Y") == "Alateen"
    assert types.tags_for("al-anon", ["Y", "O"]) == ["open", "young"]


def test_na_bmlt_world_ids_become_na_codes_and_tags():
    codes = types.bmlt_world_ids_to_codes(["CLOSED", "WCHR", "BEG", "S-D", "HYBR", "LANG", "JFT"])
    assert codes == ["C", "X", "BEG", "SPK", "DISC", "JFT"]
    assert types.tags_for("na", codes) == ["closed", "newcomer", "speaker", "discussion", "study", "wheelchair"]


def test_recovery_dharma_secular_program_table():
    assert types.tags_for("rd", ["MI", "BE", "WA", "LGBTQ", "8F"]) == [
        "lgbtq",
        "newcomer",
        "study",
        "meditation",
        "wheelchair",
    ]
    # RD's "WA" is wheelchair access; in AA "WA" does not exist at all.
    assert types.tags_for("aa", ["WA"]) == []


def test_spec_table_for_programs_without_their_own():
    assert types.tags_for("spec", ["O", "D", "X"]) == ["open", "discussion", "wheelchair"]


def test_language_codes_are_recognised_by_name_per_table():
    assert types.languages_for("spec", ["S", "O"]) == ["es"]
    assert types.language_code("spec", "es") == "S"
    assert types.language_code("spec", "fr") == "FR"
    # NA's own table has no language codes, so the spec's are understood for NA feeds ...
    assert types.languages_for("na", ["S", "O"]) == ["es"]
    assert types.language_code("na", "es") == "S"
    # ... but never where the program's table gives the code another meaning: ACA's S is Speaker.
    assert types.languages_for("aca", ["S"]) == []
    assert types.language_code("aca", "es") is None


def test_names_and_codes_resolve_case_insensitively():
    assert types.code_for("aa", "Wheelchair Access") == "X"
    assert types.code_for("aa", "wheelchair access") == "X"
    assert types.code_for("aa", "o") == "O"
    assert types.code_for("aa", "Step Meeting") == "ST"  # TSML alias
    assert types.code_for("aa", "Online Meeting") == "ONL"
    assert types.code_for("aa", "Temporary Closure") == "TC"
    assert types.code_for("aa", "No Such Type") is None


def test_spanish_names_come_from_the_spec_translations():
    assert types.type_name("aa", "W", "es") == "Mujeres"
    assert types.type_name("spec", "X", "es") == types.type_name("aa", "X", "es")


def test_tag_bits_round_trip():
    bits = types.tag_bits(["women", "asl", "open"])
    assert types.tags_from_bits(bits) == ["open", "women", "asl"]


def test_every_table_loads():
    for table in types.known_tables():
        assert types.type_table(table)
