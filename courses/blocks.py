"""StreamField blocks for lessons and quizzes.

Quiz questions are authored as blocks and, when an attempt starts, frozen into plain dicts
(`question_to_plain`) that grading works on and that never go to the browser whole.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtailmedia.blocks import VideoChooserBlock

PROMPT_FEATURES = ["bold", "italic", "ol", "ul", "link", "superscript", "subscript"]

CREDIT_HELP = _(
    "Share of the points this answer earns, from -100 to 100. Leave blank for the default: "
    "100 for a correct answer, 0 (or a negative share under partial credit) for a wrong one."
)


def credit_block(**kwargs):
    # Decimal, to five places, because question banks from Moodle weigh answers in thirds,
    # sixths and sevenths (33.33333, 16.66667, 14.28571); grading reads those as exact shares.
    return blocks.DecimalBlock(
        label=_("credit, %"),
        required=False,
        min_value=-100,
        max_value=100,
        max_digits=8,
        decimal_places=5,
        help_text=CREDIT_HELP,
        **kwargs,
    )


class ChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("answer"), max_length=500)
    is_correct = blocks.BooleanBlock(label=_("correct"), required=False)
    credit = credit_block()
    feedback = blocks.CharBlock(label=_("feedback for this answer"), required=False, max_length=500)

    class Meta:
        label = _("choice")
        icon = "radio-full"


class QuestionBlock(blocks.StructBlock):
    """What every question has: a prompt, its points and general feedback."""

    title = blocks.CharBlock(
        label=_("title"), required=False, max_length=200, help_text=_("Shown only to authors.")
    )
    prompt = blocks.RichTextBlock(label=_("question"), features=PROMPT_FEATURES)
    points = blocks.DecimalBlock(
        label=_("points"), min_value=0, default=Decimal(1), decimal_places=2
    )
    feedback = blocks.RichTextBlock(
        label=_("general feedback"),
        required=False,
        features=PROMPT_FEATURES,
        help_text=_("Shown after submission, whatever the answer."),
    )

    class Meta:
        icon = "help"
        form_classname = "struct-block question-block"


def require(condition, field, message):
    if not condition:
        raise StructBlockValidationError(block_errors={field: ValidationError(message)})


class SingleChoiceBlock(QuestionBlock):
    choices = blocks.ListBlock(ChoiceBlock(), min_num=2, label=_("choices"))

    def clean(self, value):
        value = super().clean(value)
        n_correct = sum(1 for choice in value["choices"] if choice["is_correct"])
        require(n_correct == 1, "choices", _("Mark exactly one choice as correct."))
        return value

    class Meta:
        label = _("Single choice")
        icon = "radio-full"


class MultipleChoiceBlock(QuestionBlock):
    choices = blocks.ListBlock(ChoiceBlock(), min_num=2, label=_("choices"))
    scoring = blocks.ChoiceBlock(
        label=_("scoring"),
        choices=[
            ("all_or_nothing", _("All or nothing")),
            ("partial", _("Partial credit")),
        ],
        default="all_or_nothing",
    )

    def clean(self, value):
        value = super().clean(value)
        n_correct = sum(1 for choice in value["choices"] if choice["is_correct"])
        require(n_correct >= 1, "choices", _("Mark at least one choice as correct."))
        return value

    class Meta:
        label = _("Multiple choice")
        icon = "tasks"


class TrueFalseBlock(QuestionBlock):
    correct = blocks.BooleanBlock(
        label=_("the statement is true"), required=False, help_text=_("Tick if “True” is correct.")
    )
    feedback_true = blocks.CharBlock(label=_("feedback for “True”"), required=False)
    feedback_false = blocks.CharBlock(label=_("feedback for “False”"), required=False)

    class Meta:
        label = _("True or false")
        icon = "tick"


class AcceptedAnswerBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("accepted answer"), max_length=300)
    credit = credit_block()
    feedback = blocks.CharBlock(label=_("feedback for this answer"), required=False)


class ShortAnswerBlock(QuestionBlock):
    accepted = blocks.ListBlock(
        AcceptedAnswerBlock(),
        min_num=1,
        label=_("accepted answers"),
        help_text=_("Letter case, extra spaces and ё/е are ignored when comparing."),
    )

    class Meta:
        label = _("Short text answer")
        icon = "edit"


class NumericAnswerBlock(blocks.StructBlock):
    value = blocks.DecimalBlock(label=_("value"))
    tolerance = blocks.DecimalBlock(label=_("± tolerance"), min_value=0, default=Decimal(0))
    credit = credit_block()
    feedback = blocks.CharBlock(label=_("feedback for this answer"), required=False)


class NumericBlock(QuestionBlock):
    answers = blocks.ListBlock(NumericAnswerBlock(), min_num=1, label=_("accepted values"))
    unit = blocks.CharBlock(
        label=_("unit"),
        required=False,
        max_length=30,
        help_text=_("Shown next to the input, e.g. “per minute”."),
    )
    feedback_other = blocks.CharBlock(
        label=_("feedback for any other answer"),
        required=False,
        help_text=_("Shown when the answer matches none of the accepted values."),
    )

    class Meta:
        label = _("Numeric")
        icon = "order"


class PairBlock(blocks.StructBlock):
    left = blocks.CharBlock(label=_("item"), max_length=300)
    right = blocks.CharBlock(label=_("matches"), max_length=300)


class MatchingBlock(QuestionBlock):
    pairs = blocks.ListBlock(PairBlock(), min_num=2, label=_("pairs"))
    # Moodle's extra wrong answers ("= -> text" in GIFT): offered in every row, matching none.
    distractors = blocks.ListBlock(
        blocks.CharBlock(label=_("wrong match"), max_length=300),
        default=[],
        label=_("extra wrong matches"),
        help_text=_("Offered as a choice for every item, though no item matches them."),
    )

    def clean(self, value):
        value = super().clean(value)
        rights = [pair["right"].strip().casefold() for pair in value["pairs"]]
        require(len(rights) == len(set(rights)), "pairs", _("Each match must be different."))
        wrong = [text.strip().casefold() for text in value["distractors"]]
        require(
            len(set(wrong)) == len(wrong) and not set(wrong) & set(rights),
            "distractors",
            _("Each wrong match must be different from the others and from every match."),
        )
        return value

    class Meta:
        label = _("Matching pairs")
        icon = "list-ul"


class OrderingBlock(QuestionBlock):
    items = blocks.ListBlock(
        blocks.CharBlock(label=_("step"), max_length=300),
        min_num=2,
        label=_("items in the correct order"),
        help_text=_("Learners see them shuffled."),
    )

    class Meta:
        label = _("Ordering")
        icon = "list-ol"


class DescriptionBlock(blocks.StructBlock):
    """Instructions or a case description between questions; not graded."""

    text = blocks.RichTextBlock(label=_("text"), features=PROMPT_FEATURES)

    class Meta:
        label = _("Description (not graded)")
        icon = "doc-full"


QUESTION_BLOCKS = [
    ("single_choice", SingleChoiceBlock()),
    ("multiple_choice", MultipleChoiceBlock()),
    ("true_false", TrueFalseBlock()),
    ("short_answer", ShortAnswerBlock()),
    ("numeric", NumericBlock()),
    ("matching", MatchingBlock()),
    ("ordering", OrderingBlock()),
]
QUESTION_TYPES = {name for name, _block in QUESTION_BLOCKS}


class QuizStreamBlock(blocks.StreamBlock):
    single_choice = SingleChoiceBlock()
    multiple_choice = MultipleChoiceBlock()
    true_false = TrueFalseBlock()
    short_answer = ShortAnswerBlock()
    numeric = NumericBlock()
    matching = MatchingBlock()
    ordering = OrderingBlock()
    description = DescriptionBlock()


# Lesson blocks ---------------------------------------------------------------------------------


class CaptionTrackBlock(blocks.StructBlock):
    language = blocks.ChoiceBlock(
        label=_("language"), choices=[("ru", "Русский"), ("kk", "Қазақша"), ("en", "English")]
    )
    file = DocumentChooserBlock(label=_("WebVTT file (.vtt)"))

    def clean(self, value):
        value = super().clean(value)
        document = value.get("file")
        if document and not document.file.name.lower().endswith(".vtt"):
            raise StructBlockValidationError(
                block_errors={"file": ValidationError(_("Captions must be a WebVTT (.vtt) file."))}
            )
        return value


class VideoBlock(blocks.StructBlock):
    video = VideoChooserBlock(label=_("video"))
    poster = ImageChooserBlock(label=_("poster image"), required=False)
    captions = blocks.ListBlock(CaptionTrackBlock(), label=_("captions"), default=[])
    transcript = blocks.RichTextBlock(label=_("transcript"), required=False)

    class Meta:
        label = _("Video (tracked)")
        icon = "media"
        template = "courses/blocks/video.html"


class ExternalVideoBlock(blocks.StructBlock):
    embed = EmbedBlock(label=_("video address"), help_text=_("YouTube or Vimeo link."))
    caption = blocks.CharBlock(label=_("caption"), required=False)

    class Meta:
        label = _("External video (not tracked)")
        icon = "media"
        template = "courses/blocks/external_video.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt_text = blocks.CharBlock(
        label=_("text alternative"), help_text=_("What the image shows, for screen readers.")
    )
    caption = blocks.CharBlock(label=_("caption"), required=False)

    class Meta:
        label = _("Image")
        icon = "image"
        template = "courses/blocks/image.html"


class SafetyNoteBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False, max_length=120)
    text = blocks.RichTextBlock(label=_("text"), features=PROMPT_FEATURES)

    class Meta:
        label = _("Safety note")
        icon = "warning"
        template = "courses/blocks/safety_note.html"


class KnowledgeCheckBlock(blocks.StreamBlock):
    """One ungraded question with instant feedback, checked on the server."""

    single_choice = SingleChoiceBlock()
    multiple_choice = MultipleChoiceBlock()
    true_false = TrueFalseBlock()
    short_answer = ShortAnswerBlock()
    numeric = NumericBlock()

    class Meta:
        label = _("Knowledge check (not graded)")
        icon = "help"
        max_num = 1
        min_num = 1


class LessonStreamBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(
        label=_("text"),
        features=[
            "h2",
            "h3",
            "bold",
            "italic",
            "ol",
            "ul",
            "link",
            "hr",
            "superscript",
            "subscript",
        ],
        template="courses/blocks/text.html",
    )
    video = VideoBlock()
    external_video = ExternalVideoBlock()
    image = ImageBlock()
    safety_note = SafetyNoteBlock()
    knowledge_check = KnowledgeCheckBlock()


def _choice_credit(choice):
    """The credit as JSON-ready data: a whole number as an int, as credits always were, and a
    fractional one (33.33333) as a decimal string."""
    credit = choice.get("credit")
    if credit is None:
        return None
    credit = Decimal(str(credit))
    if credit == credit.to_integral_value():
        return int(credit)
    return format(credit.normalize(), "f")


def question_to_plain(block_type, value, block_id):
    """A question block's value as JSON-ready plain data, with the stable ids grading relies on.

    Choice, pair and item ids come from Wagtail's ListBlock item ids, so they survive edits.
    """
    plain = {
        "id": str(block_id),
        "type": block_type,
        "title": value.get("title") or "",
        "prompt": str(
            value["prompt"].source if hasattr(value["prompt"], "source") else value["prompt"]
        ),
        "points": str(value.get("points") if value.get("points") is not None else Decimal(1)),
        "feedback": str(getattr(value.get("feedback"), "source", value.get("feedback")) or ""),
    }
    if block_type in {"single_choice", "multiple_choice"}:
        plain["choices"] = [
            {
                "id": str(child.id),
                "text": child.value["text"],
                "is_correct": bool(child.value["is_correct"]),
                "credit": _choice_credit(child.value),
                "feedback": child.value.get("feedback") or "",
            }
            for child in value["choices"].bound_blocks
        ]
        if block_type == "multiple_choice":
            plain["scoring"] = value.get("scoring") or "all_or_nothing"
    elif block_type == "true_false":
        plain["correct"] = bool(value.get("correct"))
        plain["feedback_true"] = value.get("feedback_true") or ""
        plain["feedback_false"] = value.get("feedback_false") or ""
    elif block_type == "short_answer":
        plain["accepted"] = [
            {
                "text": child.value["text"],
                "credit": _choice_credit(child.value),
                "feedback": child.value.get("feedback") or "",
            }
            for child in value["accepted"].bound_blocks
        ]
    elif block_type == "numeric":
        plain["answers"] = [
            {
                "value": str(child.value["value"]),
                "tolerance": str(child.value.get("tolerance") or 0),
                "credit": _choice_credit(child.value),
                "feedback": child.value.get("feedback") or "",
            }
            for child in value["answers"].bound_blocks
        ]
        plain["unit"] = value.get("unit") or ""
        plain["feedback_other"] = value.get("feedback_other") or ""
    elif block_type == "matching":
        plain["pairs"] = [
            {"id": str(child.id), "left": child.value["left"], "right": child.value["right"]}
            for child in value["pairs"].bound_blocks
        ]
        plain["distractors"] = [
            {"id": str(child.id), "text": child.value}
            for child in value["distractors"].bound_blocks
        ]
    elif block_type == "ordering":
        plain["items"] = [
            {"id": str(child.id), "text": child.value} for child in value["items"].bound_blocks
        ]
    return plain


def stream_from_raw(stream_block, raw):
    """Stream data (Wagtail's JSON form) as a value whose every block and list item has an id.

    Raw data saved as-is keeps nested items without ids, and Wagtail would invent new ones on
    each load; converting every block first makes saving write them all.
    """
    value = stream_block.to_python(raw)
    for _child in value:
        pass
    return value
