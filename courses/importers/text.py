"""Text in imported question banks: decoding files, and turning Moodle's four text formats into
Komek's rich text (prompts, general feedback) or plain text (answers, per-answer feedback).

Rich text keeps only what the question editor offers (`courses.blocks.PROMPT_FEATURES`: bold,
italic, lists, links, superscript, subscript) in Wagtail's stored form; everything else is
removed by nh3 and reported, so an instructor knows what to put back by hand.
"""

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3
from django.utils.translation import gettext as _

# Moodle's text formats (FORMAT_MOODLE, FORMAT_HTML, FORMAT_PLAIN, FORMAT_MARKDOWN), by the names
# GIFT uses in its [format] prefixes.
MOODLE = "moodle"
HTML = "html"
PLAIN = "plain"
MARKDOWN = "markdown"
TEXT_FORMATS = (MOODLE, HTML, PLAIN, MARKDOWN)

MAX_FILE_BYTES = 1024 * 1024

_INLINE = {"b", "i", "a", "sup", "sub", "br"}
_LISTS = {"ol", "ul"}
_RENAMED = {"strong": "b", "em": "i"}
# Tags that end one paragraph and start another; their formatting itself is not kept.
_BREAKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "table"}
# Tags whose loss changes nothing a learner sees worth reporting.
_QUIET = {"p", "br", "div", "span", "font", "tbody", "thead"}
_CELLS = {"td", "th"}
_REMOVED_WITH_CONTENT = {"script", "style"}
_SANITISE = {
    "tags": _INLINE | _LISTS | {"li", "p"} | set(_RENAMED) | _BREAKS | _CELLS,
    "attributes": {"a": {"href"}},
    "url_schemes": {"http", "https", "mailto", "tel"},
    "link_rel": None,
    "strip_comments": True,
}


class UndecodableFile(ValueError):
    """The file is not UTF-8 text; `str(error)` is a translated message."""


def decode(content: bytes) -> str:
    """A text file's content as text: UTF-8 with or without a byte order mark, any line ends."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise UndecodableFile(
            _(
                "The file is not UTF-8 text (line %(line)d). Save it as UTF-8 in your editor "
                "and upload it again."
            )
            % {"line": line}
        ) from None
    if "\x00" in text:
        raise UndecodableFile(_("The file is not a text file."))
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class Converted:
    """Converted text and what the conversion could not keep, as translated sentences."""

    text: str
    losses: list[str] = field(default_factory=list)


def to_rich_text(text: str, text_format: str) -> Converted:
    """Text in a Moodle format as Komek rich text: sanitised HTML in paragraphs."""
    if text_format == PLAIN:
        source = "<br>".join(html.escape(line) for line in text.split("\n"))
    elif text_format == MARKDOWN:
        source = markdown_to_html(text)
    elif text_format == MOODLE:
        # Moodle's auto-format is HTML in which a line break is a break.
        source = text.replace("\n", "<br>")
    else:
        source = text
    return Converted(_normalise(nh3.clean(source, **_SANITISE)), _losses(source))


def to_plain_text(text: str, text_format: str) -> Converted:
    """Text in a Moodle format as one line of plain text, for answers and their feedback."""
    if text_format == PLAIN:
        return Converted(" ".join(text.split()))
    source = markdown_to_html(text) if text_format == MARKDOWN else text
    losses = _losses(source)
    if _formatting_tags(source) and not losses:
        losses.append(
            _("formatting in answers and their feedback (Komek shows them as plain text)")
        )
    return Converted(html_to_text(source), losses)


def html_to_text(source: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(nh3.clean(source, tags={"p", "br", "li", "div"}, strip_comments=True))
    extractor.close()
    return " ".join("".join(extractor.parts).split())


def rich_text_from_plain(text: str) -> str:
    """Plain text (an Aiken question, say) as one rich-text paragraph."""
    return to_rich_text(text, PLAIN).text


def _tags(source):
    finder = _TagFinder()
    finder.feed(source)
    finder.close()
    return finder.tags


def _formatting_tags(source):
    return _tags(source) - _QUIET - {"li"}


def _losses(source):
    found = _tags(source)
    losses = []
    if "img" in found:
        losses.append(_("images (add them in the editor after importing)"))
    if _has_unsafe_links(source):
        losses.append(_("links to addresses that are not web, e-mail or phone addresses"))
    if found & _REMOVED_WITH_CONTENT:
        losses.append(_("scripts and styles"))
    dropped = found - _INLINE - _LISTS - set(_RENAMED) - _QUIET - _REMOVED_WITH_CONTENT
    dropped -= {"li", "img"}
    if dropped:
        losses.append(
            _("formatting Komek questions do not offer: %(tags)s (the text inside is kept)")
            % {"tags": ", ".join(f"<{tag}>" for tag in sorted(dropped))}
        )
    return losses


def _has_unsafe_links(source):
    finder = _TagFinder()
    finder.feed(source)
    finder.close()
    for href in finder.hrefs:
        scheme = urlsplit(href.strip()).scheme.lower()
        if scheme and scheme not in _SANITISE["url_schemes"]:
            return True
    return False


class _TagFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = set()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)

    handle_startendtag = handle_starttag


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        self.parts.append(" ")

    def handle_endtag(self, tag):
        self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def _normalise(clean_html: str) -> str:
    """Sanitised HTML in the canonical form Wagtail stores: top-level paragraphs and lists,
    whitespace collapsed, <strong>/<em> as <b>/<i>, no empty paragraphs.

    Normalising the output again changes nothing, so questions exported to GIFT and imported
    again come back unchanged.
    """
    tree = _TreeBuilder()
    tree.feed(clean_html)
    tree.close()
    blocks, paragraph = [], []

    def close_paragraph():
        text = _tidy_paragraph("".join(paragraph))
        if re.sub(r"<[^>]*>|\s", "", text):
            blocks.append(f"<p>{text}</p>")
        paragraph.clear()

    for kind, piece in _segments(tree.root.children, ()):
        if kind == "inline":
            paragraph.append(piece)
        else:
            close_paragraph()
            if kind == "list":
                blocks.append(piece)
    close_paragraph()
    return "".join(blocks)


class _Element:
    def __init__(self, tag, attrs):
        self.tag = _RENAMED.get(tag, tag)
        self.attrs = dict(attrs)
        self.children = []


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Element("root", ())
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = _Element(tag, attrs)
        self.stack[-1].children.append(element)
        if tag != "br":
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(_Element(tag, attrs))

    def handle_endtag(self, tag):
        tag = _RENAMED.get(tag, tag)
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                break

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def _segments(nodes, wrappers):
    """Top-level pieces: ("inline", html), ("break", None) between paragraphs, ("list", html).

    Inline formatting that contains paragraphs is carried into each of them.
    """
    for node in nodes:
        if isinstance(node, str):
            yield "inline", _wrap(html.escape(re.sub(r"\s+", " ", node), quote=False), wrappers)
        elif node.tag in _LISTS:
            yield "list", _list_html(node)
        elif node.tag == "br":
            yield "inline", "<br/>"
        elif node.tag in _BREAKS or node.tag == "li":
            yield "break", None
            yield from _segments(node.children, wrappers)
            yield "break", None
        elif node.tag in _INLINE:
            yield from _segments(node.children, (*wrappers, _opening(node)))
        elif node.tag in _CELLS:
            yield "inline", " "
            yield from _segments(node.children, wrappers)
            yield "inline", " "
        else:
            yield from _segments(node.children, wrappers)


def _opening(element):
    if element.tag == "a":
        href = element.attrs.get("href")
        # A link without an address is only its text.
        return f'<a href="{html.escape(href, quote=True)}">' if href else ""
    return f"<{element.tag}>"


def _wrap(text, wrappers):
    for opening in reversed(wrappers):
        if opening:
            tag = opening[1:].split(">")[0].split(" ")[0]
            text = f"{opening}{text}</{tag}>"
    return text


def _list_html(element):
    items = []
    loose = []
    for child in element.children:
        if isinstance(child, _Element) and child.tag == "li":
            items.append(_tidy_paragraph(_inline_html(child.children, ())))
        elif isinstance(child, _Element) and child.tag in _LISTS and items:
            items[-1] += _list_html(child)
        else:
            loose.append(child)
    stray = _tidy_paragraph(_inline_html(loose, ()))
    if re.sub(r"<[^>]*>|\s", "", stray):
        items.append(stray)
    items = [item for item in items if re.sub(r"<[^>]*>|\s", "", item)]
    if not items:
        return ""
    return f"<{element.tag}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{element.tag}>"


def _inline_html(nodes, wrappers):
    parts = []
    for node in nodes:
        if isinstance(node, str):
            parts.append(_wrap(html.escape(re.sub(r"\s+", " ", node), quote=False), wrappers))
        elif node.tag in _LISTS:
            parts.append(_list_html(node))
        elif node.tag == "br":
            parts.append("<br/>")
        elif node.tag in _INLINE:
            parts.append(_inline_html(node.children, (*wrappers, _opening(node))))
        else:
            parts.append(" " + _inline_html(node.children, wrappers) + " ")
    return "".join(parts)


def _tidy_paragraph(fragment):
    # Formatting split by the text nodes inside it is joined again: <b>a</b><b>b</b> → <b>ab</b>.
    previous = None
    while previous != fragment:
        previous = fragment
        fragment = re.sub(r"</(b|i|sup|sub)><\1>", "", fragment)
    fragment = re.sub(r" {2,}", " ", fragment)
    fragment = re.sub(r" ?<br/> ?", "<br/>", fragment)
    fragment = re.sub(r"^((?:<[^/][^>]*>)*) ", r"\1", fragment.strip())
    fragment = re.sub(r" ((?:</[^>]+>)*)$", r"\1", fragment)
    previous = None
    while previous != fragment:
        previous = fragment
        fragment = re.sub(r"^((?:<[^/][^>]*>)*)<br/>", r"\1", fragment)
        fragment = re.sub(r"<br/>((?:</[^>]+>)*)$", r"\1", fragment)
    return fragment


# Markdown ----------------------------------------------------------------------------------------

_LIST_ITEM = re.compile(r"^\s*(?P<marker>[-*+]|\d+[.)])\s+(?P<text>.*)$")
_HEADING = re.compile(r"^#{1,6}\s+(?P<text>.*?)\s*#*$")


def markdown_to_html(text: str) -> str:
    """The Markdown subset question texts use: paragraphs, line breaks (two trailing spaces),
    bold, italic, code, links, images (reported and dropped later), headings (as bold
    paragraphs) and lists, which may follow a paragraph line directly (as in CommonMark). HTML
    inside Markdown passes through, to be sanitised like any other.
    """
    return "".join(_markdown_block(block) for block in re.split(r"\n[ \t]*\n", text.strip()))


def _markdown_block(block):
    out, paragraph, items = [], [], []
    list_tag = None

    def flush_paragraph():
        if paragraph:
            joined = "".join(
                line[:-2] + "<br>" if line.endswith("  ") else line + "\n" for line in paragraph
            )
            out.append(f"<p>{_inline(joined.strip())}</p>")
            paragraph.clear()

    def flush_list():
        if items:
            entries = "".join(f"<li>{_inline(entry)}</li>" for entry in items)
            out.append(f"<{list_tag}>{entries}</{list_tag}>")
            items.clear()

    for line in block.split("\n"):
        item = _LIST_ITEM.match(line)
        heading = _HEADING.match(line)
        if item:
            flush_paragraph()
            tag = "ul" if item["marker"] in "-*+" else "ol"
            if items and tag != list_tag:
                flush_list()
            list_tag = tag
            items.append(item["text"])
        elif items and line.startswith((" ", "\t")):
            items[-1] += " " + line.strip()
        elif heading:
            flush_paragraph()
            flush_list()
            out.append(f"<p><b>{_inline(heading['text'])}</b></p>")
        else:
            flush_list()
            paragraph.append(line)
    flush_paragraph()
    flush_list()
    return "".join(out)


def _inline(text):
    codes = []

    def keep_code(match):
        codes.append(html.escape(match["code"]))
        return f"\x00{len(codes) - 1}\x00"

    text = re.sub(r"`(?P<code>[^`]+)`", keep_code, text)
    text = re.sub(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)[^)]*\)", r'<img alt="\g<alt>">', text)
    text = re.sub(
        r"\[(?P<label>[^\]]+)\]\((?P<href>[^)\s]+)[^)]*\)",
        lambda match: f'<a href="{html.escape(match["href"])}">{match["label"]}</a>',
        text,
    )
    text = re.sub(r"(\*\*|__)(?=\S)(?P<inner>.+?)(?<=\S)\1", r"<b>\g<inner></b>", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)(?P<inner>.+?)(?<=\S)\*(?!\*)", r"<i>\g<inner></i>", text)
    text = re.sub(r"(?<![\w_])_(?=\S)(?P<inner>.+?)(?<=\S)_(?![\w_])", r"<i>\g<inner></i>", text)
    return re.sub(r"\x00(\d+)\x00", lambda match: codes[int(match[1])], text)
