"""Reading GIFT files: a corpus with one file per construct of Moodle's GIFT format, each with the
questions and warnings it must give, and files that must be refused with the line at fault.

No database: reading a file is pure, and the blocks' own validation needs none.
"""

import json
from pathlib import Path

import pytest
from django.utils import translation

from courses.blocks import QUESTION_TYPES
from courses.importers import (
    AIKEN,
    GIFT,
    MAX_FORMATTING,
    MAX_QUESTIONS,
    detect_format,
    read_questions,
)
from courses.importers.questions import (
    MAX_ANSWERS,
    MAX_FILE_ANSWERS,
    Invalid,
    Problem,
    check_block,
)
from courses.importers.text import MAX_FILE_BYTES, MAX_FORMATTING_DEPTH, MAX_HTML_DEPTH

CORPUS = Path(__file__).parent / "gift_corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.gift"))


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def read(text, **kwargs):
    return read_questions(text.encode(), file_format=GIFT, **kwargs)


def only_question(text):
    result = read(text)
    assert not result.errors, [str(error) for error in result.errors]
    assert len(result.questions) == 1
    return result.questions[0]


def error_lines(text):
    result = read(text)
    assert not result.can_import
    return [(error.line, error.message) for error in result.errors]


# The corpus ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda path: path.stem)
def test_corpus_file_gives_the_expected_questions_and_warnings(path):
    expected = json.loads(path.with_suffix(".json").read_text())

    result = read_questions(path.read_bytes(), file_format=GIFT)

    assert [str(error) for error in result.errors] == []
    assert [
        {"line": question.line, "type": question.block_type, "value": question.value}
        for question in result.questions
    ] == expected["questions"]
    assert [str(warning) for warning in result.all_warnings] == expected["warnings"]


def test_corpus_covers_every_question_type_komek_imports():
    types = set()
    for path in CORPUS_FILES:
        types |= {
            question["type"]
            for question in json.loads(path.with_suffix(".json").read_text())["questions"]
        }

    assert types == (QUESTION_TYPES - {"ordering"}) | {"description"}


def test_line_ends_and_byte_order_mark_make_no_difference():
    results = [
        read_questions((CORPUS / name).read_bytes()).blocks
        for name in ("bom.gift", "crlf.gift", "bom_crlf.gift")
    ]
    lf = (CORPUS / "crlf.gift").read_bytes().replace(b"\r\n", b"\n")

    assert results[0] == results[1] == results[2] == read_questions(lf).blocks
    assert (CORPUS / "crlf.gift").read_bytes().count(b"\r\n") > 5
    assert (CORPUS / "bom.gift").read_bytes().startswith(b"\xef\xbb\xbf")


def test_old_mac_line_ends_are_read_too():
    result = read_questions(b"First question{T}\r\rSecond question{F}")

    assert [question.line for question in result.questions] == [1, 3]


# Question by question --------------------------------------------------------------------------


def test_multiple_choice_with_one_right_answer_becomes_single_choice():
    question = only_question("Who? {~a =b ~c}")

    assert question.block_type == "single_choice"
    assert [choice["is_correct"] for choice in question.value["choices"]] == [False, True, False]


def test_weighted_wrong_answer_in_a_one_answer_question_keeps_its_credit():
    question = only_question("Who? {=a ~%50%b ~%-25%c}")

    assert [choice["credit"] for choice in question.value["choices"]] == [None, "50", "-25"]


def test_multiple_answers_without_equals_become_partial_credit_multiple_choice():
    question = only_question("Which? {~%50%a ~%50%b ~c ~%-100%d}")

    assert question.block_type == "multiple_choice"
    assert question.value["scoring"] == "partial"
    assert [(c["is_correct"], c["credit"]) for c in question.value["choices"]] == [
        (True, "50"),
        (True, "50"),
        (False, "0"),
        (False, "-100"),
    ]


def test_weights_that_do_not_add_up_to_100_are_imported_with_a_warning():
    result = read("Which? {~%40%a ~%40%b ~c}")

    assert result.can_import
    assert "add up to 80%" in str(result.all_warnings[0])


def test_weights_are_kept_to_five_decimal_places():
    question = only_question("Which? {~%33.333333%a ~%66.666667%b ~c}")

    assert [c["credit"] for c in question.value["choices"]] == ["33.33333", "66.66667", "0"]


def test_true_false_accepts_every_spelling_moodle_does():
    for answer, correct in [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)]:
        question = only_question(f"Statement.{{{answer}}}")
        assert question.block_type == "true_false"
        assert question.value["correct"] is correct


def test_lowercase_true_is_a_short_answer_as_in_moodle():
    assert only_question("Statement.{true}").block_type == "short_answer"


def test_short_answer_without_equals_is_one_accepted_answer():
    question = only_question("Capital of Kazakhstan?{Astana}")

    assert question.value["accepted"] == [{"text": "Astana", "credit": None, "feedback": ""}]


def test_short_answer_keeps_an_escaped_star_for_a_literal_asterisk():
    question = only_question(r"Type a star.{=\*}")

    assert question.value["accepted"][0]["text"] == "\\*"


def test_matching_item_may_be_formatted_text_and_is_imported_as_plain_text():
    question = only_question("[html]Match.{=<b>Burn</b> -> Cool =Cut -> Press}")

    assert question.value["pairs"][0] == {"left": "Burn", "right": "Cool"}


def test_matching_extra_match_without_an_item_becomes_a_wrong_match():
    result = read("Match.{=Cat -> Mammal =Trout -> Fish = -> Bird = -> Reptile}")

    [question] = result.questions
    assert question.value["pairs"] == [
        {"left": "Cat", "right": "Mammal"},
        {"left": "Trout", "right": "Fish"},
    ]
    assert question.value["distractors"] == ["Bird", "Reptile"]
    assert result.all_warnings == []


def test_matching_wrong_match_that_repeats_a_match_is_refused_with_its_line():
    lines = error_lines("Match.{=Cat -> Mammal =Trout -> Fish = -> fish}")

    assert lines[0][0] == 1
    assert "Each wrong match must be different" in lines[0][1]


def test_matching_with_a_repeated_match_is_left_out_with_a_reason():
    result = read("Match.{=Cat -> Mammal =Dog -> mammal =Trout -> Fish}\n\nOther.{T}")

    assert [question.block_type for question in result.questions] == ["true_false"]
    assert "same match" in str(result.warnings[0])
    assert result.warnings[0].line == 1


def test_numerical_range_becomes_its_midpoint_plus_or_minus_half_its_width():
    answer = only_question("Rate?{#100..120}").value["answers"][0]

    assert (answer["value"], answer["tolerance"]) == ("110", "10")


def test_numerical_range_with_decimals_is_exact():
    answer = only_question("Pi?{#3.141..3.142}").value["answers"][0]

    assert (answer["value"], answer["tolerance"]) == ("3.1415", "0.0005")


def test_numerical_accepts_exponents_and_negative_numbers():
    answers = only_question("Values?{#=1.5e3:1e1 =%50%-2:0.5}").value["answers"]

    assert [(a["value"], a["tolerance"], a["credit"]) for a in answers] == [
        ("1500", "10", None),
        ("-2", "0.5", "50"),
    ]


def test_essay_with_general_feedback_is_still_an_essay():
    result = read("Write.{####Thanks.}\n\nOther.{T}")

    assert len(result.questions) == 1
    assert "Essay" in str(result.warnings[0])


def test_a_file_of_only_essays_has_nothing_to_import():
    result = read("Write.{}")

    assert not result.can_import
    assert "no questions to import" in str(result.errors[0])
    assert "Essay" in str(result.warnings[0])


def test_comment_lines_never_split_or_join_questions():
    result = read("// one\nFirst.{T}\n// two\n\n// three\n\nSecond.{F}\n// four")

    assert [question.line for question in result.questions] == [2, 7]


def test_a_comment_must_start_its_line():
    question = only_question("Visit http://example.org // not a comment {T}")

    assert "// not a comment" in question.value["prompt"]


def test_a_title_too_long_for_komek_is_shortened_with_a_warning():
    question = only_question(f"::{'t' * 250}::Question{{T}}")

    assert question.value["title"] == "t" * 199 + "…"
    assert "shortened" in str(question.warnings[0])


def test_a_description_title_is_reported_unless_it_is_moodles_name_from_the_text():
    result = read("::Case::A runner falls.\n\n::A runner falls...::A runner falls and cuts a knee.")

    assert [str(warning) for warning in result.all_warnings] == [
        "Line 1: Descriptions have no title in Komek; the title “Case” is not imported."
    ]


def test_title_escapes_and_spaces_are_cleaned():
    question = only_question(r"::  Ratio  30\:2 ::Text{T}")

    assert question.value["title"] == "Ratio 30:2"


def test_text_format_prefix_applies_to_answers_and_feedback_unless_they_name_their_own():
    question = only_question(
        "[html]Pick.{=A &amp; B#<i>yes</i> ~[plain]A &amp; C ~[markdown]**D**}"
    )

    assert [c["text"] for c in question.value["choices"]] == ["A & B", "A &amp; C", "D"]
    assert question.value["choices"][0]["feedback"] == "yes"


def test_html_is_sanitised_to_what_the_question_editor_offers():
    question = only_question(
        '[html]<h1>Title</h1><p style="color:red" onclick="x()">Text <u>under</u> '
        '<sup>2</sup><a href="https://a.kz" target="_blank">link</a></p>'
        "<iframe src='https://evil'></iframe>{T}"
    )

    assert question.value["prompt"] == (
        '<p>Title</p><p>Text under <sup>2</sup><a href="https://a.kz">link</a></p>'
    )
    assert "<h1>, <iframe>, <u>" in str(question.warnings[0])


def test_moodle_format_turns_line_breaks_into_breaks():
    question = only_question("First line\nsecond line{T}")

    assert question.value["prompt"] == "<p>First line<br/>second line</p>"


def test_pre_block_in_html_text_keeps_its_line_breaks():
    question = only_question(
        "[html]Read the log:<pre>pulse 120\\n  breathing 30\\nalert</pre>What next?{T}"
    )

    assert question.value["prompt"] == (
        "<p>Read the log:</p><p>pulse 120<br/>breathing 30<br/>alert</p><p>What next?</p>"
    )


def test_pre_block_in_moodle_text_keeps_its_line_breaks():
    question = only_question("Read the log:<pre>pulse 120\nbreathing 30</pre>{T}")

    assert question.value["prompt"] == "<p>Read the log:</p><p>pulse 120<br/>breathing 30</p>"


def test_every_question_is_checked_as_the_editor_would():
    long_choice = "x" * 501

    lines = error_lines(f"Pick.{{=a ~{long_choice}}}")

    assert lines[0][0] == 1
    assert "longer than 500 characters" in lines[0][1]


# Komek's settings in comments ------------------------------------------------------------------


def test_komek_settings_set_points_scoring_and_unit():
    result = read(
        '// komek: {"points": 2.5}\nA.{=1}\n\n'
        '// komek: {"scoring": "all_or_nothing"}\nB.{~%50%x ~%50%y ~z}\n\n'
        '// komek: {"unit": "мм рт. ст."}\nC.{#120:10}'
    )

    values = [question.value for question in result.questions]
    assert values[0]["points"] == "2.5"
    assert values[1]["scoring"] == "all_or_nothing"
    assert [c["credit"] for c in values[1]["choices"]] == [None, None, None]
    assert values[2]["unit"] == "мм рт. ст."


# Moodle's tags and id numbers in comments -------------------------------------------------------


def test_tags_and_id_number_are_listed_as_not_kept_for_their_question():
    result = read(
        "// [id:FA-01] [tag:first aid]\n// [tag: burns ]\nCool a burn.{T}\n\nPress on a wound.{T}"
    )

    assert result.can_import
    first, second = result.questions
    assert [str(warning) for warning in first.warnings] == [
        "Line 3: Not kept: the tags “first aid”, “burns” and the id number “FA-01” "
        "(Komek questions have no tags or id numbers)."
    ]
    assert second.warnings == []


def test_an_id_number_alone_is_listed_as_not_kept():
    question = only_question("// [id:q\\]7]\nCool a burn.{T}")

    assert [warning.message for warning in question.warnings] == [
        "Not kept: the id number “q]7” (Komek questions have no tags or id numbers)."
    ]


# Errors: the whole file is refused, each error with its line -----------------------------------


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ("::Title without end {T}", 1, "title is not closed"),
        ("Question {=a ~b", 1, "is not closed with “}”"),
        ("Question } text {T}", 1, "closes an answer block that was not opened"),
        ("Question {T} and {F}", 1, "only one answer block"),
        ("Question {\n=a\n~b\n}\nmore {x}", 5, "only one answer block"),
        ("Question {~a ~b}", 1, "No answer is right"),
        ("Question {~%50%a}", 1, "Expected at least 2 answers, found 1"),
        ("Question {\n=a\n~%150%b\n}", 3, "%150% is not a percentage from -100 to 100"),
        ("Question {=%50%a ~b}", 1, "write it as ~%50%answer"),
        ("Question {a ~b =c}", 1, "Expected an answer starting with = or ~, found “a”"),
        ("Question {~ =a ~b}", 1, "An answer is empty"),
        ("Question {#abc}", 1, "Expected a number"),
        ("Question {#\n=5\n=six\n}", 3, "found “six”"),
        ("Question {#5..1}", 1, "starts above its end"),
        ("Question {#5:-1}", 1, "must not be negative"),
        ("Question {#}", 1, "at least one number after #"),
        ("Question {=a -> b}", 1, "at least two pairs"),
        ("Question {\n=a -> b\n=c\n}", 3, "Expected a pair written as =item -> match"),
        ("Question {=a -> b =c -> }", 1, "The match after -> is empty"),
        ("Question {=%50%}", 1, "An accepted answer is empty"),
        ("{T}", 1, "The question has no text"),
        ("::Only a title::", 1, "The description has no text"),
        ("// komek: {bad}\nQuestion {T}", 1, "Expected Komek settings as JSON"),
        ('// komek: {"points": "-1"}\nQuestion {T}', 1, "Points must be a number"),
        ('// komek: {"scoring": "partial"}\nQuestion {T}', 1, "Scoring is set only"),
        ('// komek: {"colour": 1}\nQuestion {T}', 1, "Unknown Komek setting: colour"),
        ('// komek: {"unit": "cm"}\nQuestion {T}', 1, "A unit is set only"),
        ('// komek: {"points": 2}', 1, "must come before a question"),
    ],
)
def test_a_mistake_is_reported_with_its_line_and_what_was_expected(text, line, expected):
    errors = error_lines(f"Good.{{T}}\n\n{text}")

    assert len(errors) == 1
    assert errors[0][0] == line + 2
    assert expected in errors[0][1]


def test_every_error_in_a_file_is_reported_and_nothing_can_be_imported():
    result = read("Good.{T}\n\nBad {~a ~b}\n\nAlso good.{F}\n\nWorse {#x}")

    assert not result.can_import
    assert [error.line for error in result.errors] == [3, 7]
    assert len(result.questions) == 2  # shown in the preview, never imported


def test_an_error_reads_as_a_sentence_with_its_line():
    assert str(Problem(12, "Expected a number.")) == "Line 12: Expected a number."
    assert str(Problem(None, "The file is empty.")) == "The file is empty."


# Files as a whole ------------------------------------------------------------------------------


def test_a_file_that_is_not_utf8_is_refused_with_the_line():
    result = read_questions("Вопрос?{T}\n\nВопрос?{F}".encode("cp1251"))

    assert not result.can_import
    assert "not UTF-8" in str(result.errors[0])
    assert "line 1" in str(result.errors[0])


def test_a_binary_file_is_refused():
    assert "not a text file" in str(read_questions(b"PK\x03\x04\x00\x00").errors[0])


def test_a_file_over_the_size_limit_is_refused_before_reading():
    result = read_questions(b"x" * (MAX_FILE_BYTES + 1))

    assert "larger than 1024 KB" in str(result.errors[0])


def test_a_file_with_too_many_questions_is_refused():
    text = "\n\n".join(f"Q{n}.{{T}}" for n in range(MAX_QUESTIONS + 1))

    result = read(text)

    assert not result.can_import
    assert f"at most {MAX_QUESTIONS}" in str(result.errors[-1])


def test_an_empty_file_has_nothing_to_import():
    result = read_questions(b"\xef\xbb\xbf\n// only a comment\n")

    assert "no questions to import" in str(result.errors[0])


@pytest.mark.parametrize(
    ("text", "filename", "expected"),
    [
        ("Question?{T}", "bank.txt", GIFT),
        ("Question?\nA. one\nB. two\nANSWER: A", "bank.txt", AIKEN),
        ("Question?\nA. one\nB. two\nANSWER: A", "bank.gift", GIFT),
        ("Question?{=a}\nANSWER: A", "bank.txt", GIFT),
    ],
)
def test_format_is_recognised_from_the_file(text, filename, expected):
    assert detect_format(text, filename) == expected


def test_a_question_the_editor_would_refuse_is_an_error_even_past_the_reader():
    block = {
        "type": "single_choice",
        "value": {
            "title": "",
            "prompt": "<p>Q?</p>",
            "points": "1",
            "feedback": "",
            "choices": [
                {"text": "a", "is_correct": True, "credit": None, "feedback": ""},
                {"text": "b", "is_correct": False, "credit": "500", "feedback": ""},
            ],
        },
    }

    with pytest.raises(Invalid) as error:
        check_block(block, 7)

    assert str(error.value) == (
        "Line 7: The question does not fit a Komek question: "
        "Ensure this value is less than or equal to 100."
    )


# Limits: what any file may cost to read --------------------------------------------------------
#
# Each file here would once have taken a web process seconds or minutes; now it is read, or
# refused with a clear message, in the same small time as any other (bench/gift_parse.py).


def test_a_file_with_too_many_questions_is_refused_before_they_are_read():
    text = "\n\n".join(f"Q{n}.{{}}" for n in range(MAX_QUESTIONS + 1))  # essays count too

    result = read(text)

    assert [str(error) for error in result.errors] == [
        f"The file has {MAX_QUESTIONS + 1} questions; import at most {MAX_QUESTIONS} at a time."
    ]
    assert result.warnings == []


def test_a_question_with_too_many_answers_is_refused_with_its_line():
    errors = error_lines("Good.{T}\n\nPick.{" + "~a " * MAX_ANSWERS + "=b}")

    assert errors == [
        (3, f"The question has {MAX_ANSWERS + 1} answers; a question may have at most "
         f"{MAX_ANSWERS}.")
    ]  # fmt: skip


def test_a_question_with_as_many_answers_as_allowed_is_read():
    question = only_question("Pick.{" + "".join(f"~a{n} " for n in range(MAX_ANSWERS - 1)) + "=b}")

    assert len(question.value["choices"]) == MAX_ANSWERS


def test_a_file_with_too_many_answers_in_all_is_refused_whole():
    per_question = MAX_FILE_ANSWERS // MAX_QUESTIONS + 1
    text = "\n\n".join(
        f"Q{n}.{{" + "".join(f"~a{k} " for k in range(per_question - 1)) + "=b}"
        for n in range(MAX_QUESTIONS)
    )

    result = read(text)

    assert [str(error) for error in result.errors] == [
        f"The file has more than {MAX_FILE_ANSWERS} answers; import at most "
        f"{MAX_FILE_ANSWERS} at a time."
    ]
    assert result.questions == []


def test_a_file_with_too_much_formatting_is_refused_before_it_is_read():
    text = "[html]A question " + "<br>" * (MAX_FORMATTING + 1) + "{T}"

    result = read(text)

    assert not result.can_import
    assert str(result.errors[0]).startswith(
        f"The file has too much formatting to read at once: {MAX_FORMATTING + 1} line breaks, "
        "HTML tags and Markdown marks"
    )


def test_html_nested_too_deeply_is_refused_with_the_questions_line():
    errors = error_lines("Good.{T}\n\n[html]" + "<div>" * (MAX_HTML_DEPTH + 1) + "Deep{T}")

    assert errors == [
        (3, f"The HTML is nested more than {MAX_HTML_DEPTH} levels deep; simplify the formatting.")
    ]


def test_html_closed_as_it_goes_may_hold_any_number_of_elements():
    question = only_question("[html]" + "<div><b>x</b></div>" * 1000 + "{T}")

    assert question.value["prompt"] == "<p><b>x</b></p>" * 1000


def test_formatting_nested_too_deeply_is_refused():
    errors = error_lines("[html]" + "<b><i>" * MAX_FORMATTING_DEPTH + "x{T}")

    assert errors == [
        (1, f"Bold, italic, links, superscript and subscript are nested more than "
         f"{MAX_FORMATTING_DEPTH} levels deep; simplify the formatting.")
    ]  # fmt: skip


def test_unclosed_braces_give_one_error_per_question():
    errors = error_lines("First {" + "{" * 100_000 + "\n\nSecond {=a ~b")

    assert [line for line, _message in errors] == [1, 3]


def test_a_storm_of_escapes_reads_as_the_characters_escaped():
    question = only_question("Braces " + r"\{\}\~\=\#\:\\" * 10_000 + "{T}")

    assert question.value["prompt"] == "<p>Braces " + r"{}~=#:\\"[:-1] * 10_000 + "</p>"


def test_unclosed_markdown_links_and_emphasis_are_text():
    text = "[a](b " * 5_000 + "**c " + "d " * 20_000

    question = only_question(f"[markdown]Look {text}{{T}}")

    assert question.value["prompt"] == f"<p>Look {text.strip()}</p>"


def test_unterminated_tags_hide_the_rest_as_html_does():
    question = only_question("[html]Visible " + "<a " * 50_000 + "{T}")

    assert question.value["prompt"] == "<p>Visible</p>"


def test_long_text_with_entities_and_no_break_spaces_is_kept_whole():
    text = "x\u00a0&amp;y " * 20_000

    question = only_question(f"[html]<p>{text}</p>{{T}}")

    # As ever, white space (a no-break space too) reads as one space.
    assert question.value["prompt"] == "<p>" + "x &amp;y " * 19_999 + "x &amp;y</p>"


def test_a_number_of_a_million_digits_is_an_error_not_a_crash():
    errors = error_lines("Big?{#" + "9" * 1_000_000 + "}")

    assert errors[0][0] == 1
    assert errors[0][1].startswith("Expected a number")


def test_a_link_too_long_is_dropped_and_reported():
    href = "https://example.org/" + "a" * 3000

    question = only_question(f'[html]<a href="{href}">Guide</a>{{T}}')

    assert question.value["prompt"] == "<p>Guide</p>"
    assert "links to addresses longer than 2048 characters" in str(question.warnings[0])


def test_svg_and_math_are_dropped_with_what_is_inside_and_reported():
    question = only_question("[html]Area: <svg><text>label</text></svg>πr<sup>2</sup>{T}")

    assert question.value["prompt"] == "<p>Area: πr<sup>2</sup></p>"
    assert "<svg> and everything inside them" in str(question.warnings[0])


def test_a_marked_section_is_read_as_a_comment_not_a_crash():
    question = only_question("[html]Before <![if x]> after{T}")

    assert question.value["prompt"] == "<p>Before after</p>"
