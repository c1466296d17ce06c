"""Reading the worst GIFT files of the largest size an upload may have (1 MB), as a ratio to
reading a benign file of the same size, both measured in the same run. Lower is better.

Target: every adversarial file is read (or refused) in at most 2 s on the reference machine, and
the ratio stays low: reading cost should grow with a file's size, not with how it is written.
Each adversarial file attacks one construct: many unclosed braces, backslash storms, a question
with a huge number of answers, long runs of "&" and no-break spaces, unclosed Markdown links and
emphasis, deeply nested or unterminated HTML tags, many lines; and files just within the limits
on formatting and answers, with as many elements as they allow. The benign file is 500
multiple-choice questions with HTML prompts and feedback, accepted and imported whole.

KOMEK_GIFT_IMPORTERS=/path names a directory holding an `old_importers` package (a copy of
courses/importers) to measure instead, to compare with an earlier reader; with
KOMEK_GIFT_TIMEOUT=seconds, a file that takes longer is stopped and counted at that time.
"""

import os
import signal
import sys
import time

from common import report, setup_django

SIZE = 1024 * 1024


def fill(head, unit, tail=""):
    n = (SIZE - len((head + tail).encode())) // len(unit.encode())
    return head + unit * n + tail


def padded(text, tail):
    """The text, then no-break spaces and ampersands (costly, and no formatting) up to SIZE."""
    unit = "\u00a0x&y "
    return text + unit * ((SIZE - len((text + tail).encode())) // len(unit.encode())) + tail


def questions(make, n=500):
    return "\n\n".join(make(n) for n in range(n))


def benign():
    questions = []
    for n in range(500):
        questions.append(
            f"// question {n}\n::Question {n}::[html]<p>A volunteer finds a person who has "
            f"collapsed (case {n}). <b>What comes first?</b></p>"
            + "<p>Think about safety, the call to 103 and the airway.</p>"
            * 20
            + "{\n\t=Check that the scene is safe#<i>Right:</i> your safety comes first.\n"
            "\t~Start chest compressions#Not before the scene is safe.\n"
            "\t~Give water#Never give anything by mouth.\n"
            "\t~%-50%Leave and call later#The call comes from the scene.\n"
            "\t####Safety, then response, then 103.\n}"
        )
    text = "\n\n".join(questions)
    return text + " " * (SIZE - len(text.encode()))


ADVERSARIAL = {
    "unclosed braces": lambda: fill("", "{\n\n"),
    "backslashes": lambda: fill("Q ", "\\", "{T}"),
    "one question, many answers": lambda: fill("Q{", "~a ", "=b}"),
    "ampersands": lambda: fill("[html]Q ", "&", "{T}"),
    "no-break spaces": lambda: fill("[html]Q ", "a\u00a0", "{T}"),
    "markdown links": lambda: fill("[markdown]Q ", "[a](", "{T}"),
    "markdown emphasis": lambda: fill("[markdown]Q ", "**a ", "{T}"),
    "unterminated tags": lambda: fill("[html]Q ", "<a ", "{T}"),
    "nested tags": lambda: fill("[html]Q ", "<div>", "{T}"),
    "line breaks": lambda: fill("Q <b>x</b>\n", "a\n", "{T}"),
    # Just within the limits on formatting and answers, which the files above exceed:
    "49 000 list items": lambda: padded("[markdown]Q\n" + "- a\n" * 49_000, "{T}"),
    "24 000 table rows": lambda: padded("[html]Q <table>" + "<tr><td>x" * 24_000, "{T}"),
    "5 000 formatted answers": lambda: questions(
        lambda n: "[markdown]Q{" + "~*a*#_f_ " * 9 + "=b}"
    ),
}


def importers():
    path = os.environ.get("KOMEK_GIFT_IMPORTERS")
    if path:
        sys.path.insert(0, path)
        import old_importers

        return old_importers
    from courses import importers as current

    return current


class TimedOut(Exception):
    pass


def stop(signum, frame):
    raise TimedOut


def seconds(reader, text):
    content = text.encode()
    assert len(content) <= SIZE
    timeout = int(os.environ.get("KOMEK_GIFT_TIMEOUT", "0"))
    signal.signal(signal.SIGALRM, stop)
    signal.alarm(timeout)
    start = time.perf_counter()
    try:
        reader.read_questions(content, file_format="gift")
    except TimedOut:
        return float(timeout)
    finally:
        signal.alarm(0)
    return time.perf_counter() - start


def main():
    setup_django()
    from django.utils import translation

    translation.activate("en")
    reader = importers()
    benign_text = benign()
    result = reader.read_questions(benign_text.encode(), file_format="gift")
    assert result.can_import and len(result.questions) == 500, result.errors[:3]

    benign_s = min(seconds(reader, benign_text) for _ in range(3))
    times = {}
    for name, make in ADVERSARIAL.items():
        times[name] = seconds(reader, make())
        print(f"  {name}: {times[name]:.3f} s", flush=True)
    worst = max(times, key=times.get)
    report(
        "gift_parse",
        times[worst] / benign_s,
        file_bytes=SIZE,
        benign_s=f"{benign_s:.3f}",
        worst=worst,
        worst_s=f"{times[worst]:.3f}",
    )


if __name__ == "__main__":
    main()
