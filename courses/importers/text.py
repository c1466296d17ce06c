"""Text in imported question banks: decoding files, and turning Moodle's four text formats into
Komek's rich text (prompts, general feedback) or plain text (answers, per-answer feedback).

Rich text keeps only what the question editor offers (`courses.blocks.PROMPT_FEATURES`: bold,
italic, lists, links, superscript, subscript) in Wagtail's stored form; everything else is
removed by nh3 and reported, so an instructor knows what to put back by hand.
"""

import functools
import html
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import nh3
from django.utils.translation import get_language, gettext


def translated(message: str) -> str:
    """gettext, looked up once per language: a file may need the same words thousands of times
    (Django's gettext takes some microseconds each)."""
    return _translated(get_language(), message)


@functools.lru_cache(maxsize=256)
def _translated(language, message):
    return gettext(message)


_ = translated

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
# Dropped with their text too: the text of <textarea> and the like is markup shown as it is
# written, and what is inside <svg> and <math> is not text a question reads.
_DROPPED_WHOLE = {"math", "noembed", "noframes", "noscript", "plaintext", "svg", "textarea"}
_DROPPED_WHOLE |= {"title", "xmp"}
# An <iframe> is reported as formatting: its text is only for browsers that show no frames.
_CLEAN_CONTENT = _REMOVED_WITH_CONTENT | _DROPPED_WHOLE | {"iframe"}
# Longer links are dropped: html5ever takes time in the square of an attribute's length to write
# it out, and no question needs such an address.
MAX_LINK_LENGTH = 2048


def _short_link(element, attribute, value):
    return value if len(value) <= MAX_LINK_LENGTH else None


_SANITISE = {
    "tags": _INLINE | _LISTS | {"li", "p"} | set(_RENAMED) | _BREAKS | _CELLS,
    # Only links keep an attribute (nh3 would keep "title" and "lang" everywhere).
    "attributes": {"a": {"href"}, "*": set()},
    "attribute_filter": _short_link,
    "url_schemes": {"http", "https", "mailto", "tel"},
    "link_rel": None,
    "strip_comments": True,
    "clean_content_tags": _CLEAN_CONTENT,
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
    """Text in a Moodle format as Komek rich text: sanitised HTML in paragraphs.

    Raises TooComplex for HTML nested more deeply than MAX_HTML_DEPTH.
    """
    if text_format == PLAIN or (text_format == MOODLE and "<" not in text and "&" not in text):
        # Text and line breaks only: the paragraph nh3 and _normalise would make of it (nh3
        # drops a byte order mark that starts its input).
        return Converted(_paragraph_of_lines(text.removeprefix("\ufeff")))
    if text_format == MARKDOWN:
        source = markdown_to_html(text)
    elif text_format == MOODLE:
        # Moodle's auto-format is HTML in which a line break is a break.
        source = text.replace("\n", "<br>")
    else:
        source = text
    markup = _read_markup(source)
    return Converted(_normalise(nh3.clean(markup.source, **_SANITISE)), _losses(markup))


def to_plain_text(text: str, text_format: str) -> Converted:
    """Text in a Moodle format as one line of plain text, for answers and their feedback.

    Raises TooComplex for HTML nested more deeply than MAX_HTML_DEPTH.
    """
    if text_format == PLAIN:
        return Converted(" ".join(text.split()))
    source = markdown_to_html(text) if text_format == MARKDOWN else text
    if "<" not in source and "&" not in source:
        # No markup: what html_to_text would give, without parsing (answers are many).
        return Converted(" ".join(source.removeprefix("\ufeff").split()))
    markup = _read_markup(source)
    losses = _losses(markup)
    if markup.tags - _QUIET - {"li"} and not losses:
        losses.append(
            _("formatting in answers and their feedback (Komek shows them as plain text)")
        )
    return Converted(html_to_text(markup.source), losses)


def html_to_text(source: str) -> str:
    cleaned = nh3.clean(
        source,
        tags={"p", "br", "li", "div"},
        clean_content_tags=_CLEAN_CONTENT,
        attributes={"*": set()},
        strip_comments=True,
    )
    # nh3's output is well formed, escapes "<" and ">" in text and keeps no attributes here:
    # every tag is a word break, and the rest is text with character references.
    return " ".join(_unescape_written(_ANY_TAG.sub(" ", cleaned)).split())


def rich_text_from_plain(text: str) -> str:
    """Plain text (an Aiken question, say) as one rich-text paragraph."""
    return to_rich_text(text, PLAIN).text


def _losses(markup):
    found = markup.tags
    losses = []
    if "img" in found:
        losses.append(_("images (add them in the editor after importing)"))
    if _has_unsafe_links(markup.hrefs):
        losses.append(_("links to addresses that are not web, e-mail or phone addresses"))
    if any(len(href) > MAX_LINK_LENGTH for href in markup.hrefs):
        losses.append(_("links to addresses longer than %(n)d characters") % {"n": MAX_LINK_LENGTH})
    if found & _REMOVED_WITH_CONTENT:
        losses.append(_("scripts and styles"))
    if found & _DROPPED_WHOLE:
        losses.append(
            _("%(tags)s and everything inside them")
            % {"tags": ", ".join(f"<{tag}>" for tag in sorted(found & _DROPPED_WHOLE))}
        )
    dropped = found - _INLINE - _LISTS - set(_RENAMED) - _QUIET - _REMOVED_WITH_CONTENT
    dropped -= {"li", "img"} | _DROPPED_WHOLE
    if dropped:
        losses.append(
            _("formatting Komek questions do not offer: %(tags)s (the text inside is kept)")
            % {"tags": ", ".join(f"<{tag}>" for tag in sorted(dropped))}
        )
    return losses


def _has_unsafe_links(hrefs):
    for href in hrefs:
        scheme = urlsplit(href.strip()).scheme.lower()
        if scheme and scheme not in _SANITISE["url_schemes"]:
            return True
    return False


# Reading markup --------------------------------------------------------------------------------
#
# Untrusted HTML is read here once, in a single pass, the way an HTML5 tokenizer reads it
# (https://html.spec.whatwg.org/multipage/parsing.html#tokenization): comments, quoted attribute
# values and the text of <script>-like elements hold no tags. It finds the tags and links that the
# sanitiser will drop, and bounds how deeply the tree nests before nh3 builds it: html5ever's tree
# builder looks through the open elements for many tags, so a tree thousands of levels deep costs
# time in the square of its size. Everything after nh3 reads nh3's own output, which is well
# formed, with regular expressions (html.parser's cost on malformed input grows much faster).

MAX_HTML_DEPTH = 32
# Formatting is written again around the text of each paragraph and line it holds, so a text
# nested this deep may take up to about twice as many tags once converted.
MAX_FORMATTING_DEPTH = 8


class TooComplex(ValueError):
    """Text the importer will not convert; `str(error)` is a translated message."""


_SPACE = "\t\n\f "
_ATTRIBUTE_NAME = rf"[^{_SPACE}/>][^{_SPACE}/>=]*+"
# A quote left open runs to the end of the text, and the tag never ends.
_ATTRIBUTE_VALUE = rf"""(?:"[^"]*+"|'[^']*+'|"[^"]*+\Z|'[^']*+\Z|[^{_SPACE}>]++|(?=>))"""
_ATTRIBUTE = rf"{_ATTRIBUTE_NAME}(?:[{_SPACE}]*+=[{_SPACE}]*+{_ATTRIBUTE_VALUE})?+"
# A start or end tag. Possessive throughout: each character is read once, as the tokenizer
# reads it, and a tag that runs to the end of the text does not match.
_TAG = re.compile(rf"<(/?)([a-zA-Z][^{_SPACE}/>]*+)((?:[{_SPACE}/]++|{_ATTRIBUTE})*+)>")
_TAG_START = re.compile(r"</?[a-zA-Z]")
_MARKUP_START = re.compile(r"<[a-zA-Z/!?]")  # any other "<" is text
_HREF = re.compile(
    rf"(?:[{_SPACE}/]++|(?!href[{_SPACE}/>=]){_ATTRIBUTE})*+"
    rf"href(?:[{_SPACE}]*+=[{_SPACE}]*+({_ATTRIBUTE_VALUE}))?",
    re.IGNORECASE,
)
_RAW_TEXT = {"script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea"}
_RAW_TEXT |= {"title", "plaintext"}
_RAW_TEXT_END = {name: re.compile(rf"</{name}[{_SPACE}/>]", re.IGNORECASE) for name in _RAW_TEXT}
_VOID = {"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image"}
_VOID |= {"img", "input", "keygen", "link", "meta", "param", "source", "track", "wbr"}
# The HTML standard's "special" elements, and the elements that bound each kind of scope.
_SPECIAL = {
    "address", "applet", "area", "article", "aside", "base", "basefont", "bgsound",
    "blockquote", "body", "br", "button", "caption", "center", "col", "colgroup", "dd",
    "details", "dir", "div", "dl", "dt", "embed", "fieldset", "figcaption", "figure", "footer",
    "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup",
    "hr", "html", "iframe", "img", "input", "keygen", "li", "link", "listing", "main",
    "marquee", "menu", "meta", "nav", "noembed", "noframes", "noscript", "object", "ol", "p",
    "param", "plaintext", "pre", "script", "search", "section", "select", "source", "style",
    "summary", "table", "tbody", "td", "template", "textarea", "tfoot", "th", "thead", "title",
    "tr", "track", "ul", "wbr", "xmp",
}  # fmt: skip
_SCOPE = {"applet", "caption", "html", "table", "td", "th", "marquee", "object", "template"}
_BUTTON_SCOPE = _SCOPE | {"button"}
_LIST_ITEM_SCOPE = _SCOPE | {"ol", "ul"}
_TABLE_SCOPE = {"html", "table", "template"}
_TABLE_PARTS = {"table", "tbody", "thead", "tfoot", "tr", "td", "th", "caption", "colgroup"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Start tags that close an open <p>.
_CLOSES_P = _HEADINGS | {
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div",
    "dl", "fieldset", "figcaption", "figure", "footer", "form", "header", "hgroup", "hr", "li",
    "dd", "dt", "listing", "main", "menu", "nav", "ol", "p", "plaintext", "pre", "search",
    "section", "summary", "ul", "xmp",
}  # fmt: skip
# Start tags that may close open elements (see _start_tag).
_CLOSING_START_TAGS = _CLOSES_P | {"a", "optgroup", "option", "td", "th", "tr"}


@dataclass
class _Markup:
    tags: set = field(default_factory=set)  # names of the start tags, in lower case
    hrefs: list = field(default_factory=list)  # links' addresses
    source: str = ""  # the same HTML for nh3, its long runs of text split (see _read_markup)


# html5ever's cost for a text node or attribute value grows with its length times the number of
# characters in it that it escapes on output (&, <, >, no-break spaces), so nh3 is given no text
# node longer than about this many characters: runs of text are split by empty comments, which
# nh3 removes, between characters that cannot be part of a character reference.
_TEXT_CHUNK = 256
# Where a run may be split: after a character that ends any character reference before it, or
# before "&" or "<" (which do too), and before a character that is not white space.
_CHUNK_END = re.compile(r"[^A-Za-z0-9#&](?=[^\t\n\f\r ])|(?=[&<])")
_NOT_SPACE = re.compile(r"[^\t\n\f\r ]")
_EMPTY_COMMENT = "<!---->"


def _read_markup(source):
    """The tags and links in HTML, and the HTML to give nh3.

    Raises TooComplex when the HTML nests deeper than MAX_HTML_DEPTH. The depth is counted on a
    stack that pushes every element the tree builder may push and pops only where the tree
    builder certainly pops (an end tag or a start tag that closes an open element within its
    scope), so it is never smaller than the tree's depth (but for the <tbody> and <tr> that
    html5ever adds where a table leaves them out).
    """
    reader = _MarkupReader(source)
    if "<" in source:
        reader.read()
    else:
        reader.text(0, len(source))
    return reader.finish()


class _MarkupReader:
    def __init__(self, source):
        self.source = source
        self.markup = _Markup()
        self.stack = []
        # Inside <svg> or <math> the rules differ (no raw text, self-closing tags, CDATA). From
        # the first one on, nothing is popped and every tag is read, which keeps the depth an
        # upper bound; what nh3 then reads differently is inside elements it drops whole.
        self.may_pop = True
        self.out = []  # the HTML for nh3, in pieces
        self.copied = 0  # how much of the source is in `out`

    def finish(self):
        self.out.append(self.source[self.copied :])
        self.markup.source = "".join(self.out)
        return self.markup

    def text(self, start, end):
        """Characters the tokenizer reads as text, from start to end."""
        if end - start > _TEXT_CHUNK:
            self.replace(start, end, _chunked(self.source[start:end]))

    def replace(self, start, end, replacement):
        self.out += [self.source[self.copied : start], replacement]
        self.copied = end

    def read(self):
        source = self.source
        position = text_start = 0
        while found := _MARKUP_START.search(source, position):
            position = found.start()
            tag = _TAG.match(source, position)
            if tag is not None:
                self.text(text_start, position)
                closing, name, attributes = tag.groups()
                position = tag.end()
                if closing:
                    if self.may_pop:
                        _end_tag(self.stack, name.lower())
                else:
                    position = self.start_tag(name.lower(), attributes, position)
            elif _TAG_START.match(source, position):
                self.text(text_start, position)
                return  # the tag runs to the end of the text
            elif source.startswith("</>", position):
                self.text(text_start, position)
                position += 3
            else:  # "<!", "<?" or "</" and no letter
                self.text(text_start, position)
                if source.startswith("<!--", position):
                    position = _after_comment(source, position)
                else:
                    position = _after_bogus_comment(source, position)
            if position is None or position >= len(source):
                return  # the rest, if any, is inside a comment that never ends, or raw text
            text_start = position
        self.text(text_start, len(source))

    def start_tag(self, tag, attributes, end):
        """Read a start tag that ends at `end`; returns where reading goes on, or None."""
        self.markup.tags.add(tag)
        if tag == "a":
            href = _HREF.match(attributes)
            if href and (value := href.group(1)):
                if value[0] in "\"'":
                    value = value[1:-1]
                self.markup.hrefs.append(html.unescape(value))
        if tag in {"svg", "math"}:
            self.may_pop = False
        if self.may_pop and tag in _CLOSING_START_TAGS:
            _start_tag(self.stack, tag)
        if tag not in _VOID:
            self.stack.append(tag)
            if len(self.stack) > MAX_HTML_DEPTH:
                raise TooComplex(_too_deep_message())
        if not self.may_pop or tag not in _RAW_TEXT:
            return end
        # The text of these elements holds no tags, and nh3 drops it.
        if tag == "plaintext":
            return None  # nothing ends it
        found = _RAW_TEXT_END[tag].search(self.source, end)
        return None if found is None else found.start()


def _chunked(text):
    """The text split by empty comments, after every _TEXT_CHUNK characters or so.

    Each piece starts with a character that is not white space, so that none is white space
    only: inside a <table>, html5ever moves text out of the table but leaves white space in.
    """
    first = _NOT_SPACE.search(text)
    if len(text) <= _TEXT_CHUNK or first is None:
        return text
    pieces, start = [], 0
    position = max(_TEXT_CHUNK, first.end() + 1)
    while position < len(text) and (found := _CHUNK_END.search(text, position - 1)):
        cut = found.end()
        pieces.append(text[start:cut])
        start, position = cut, cut + _TEXT_CHUNK
    pieces.append(text[start:])
    return _EMPTY_COMMENT.join(pieces)


def _after_comment(source, position):
    start = position + 4
    if source.startswith(">", start):
        return start + 1
    if source.startswith("->", start):
        return start + 2
    ends = [
        found for found in (source.find("-->", start), source.find("--!>", start)) if found >= 0
    ]
    if not ends:
        return None
    end = min(ends)
    return end + (3 if source.startswith("-->", end) else 4)


def _after_bogus_comment(source, position):
    end = source.find(">", position + 2)
    return None if end == -1 else end + 1


def _pop_to(stack, tag, barriers):
    """Pop the stack down to the nearest `tag`, unless one of `barriers` comes first."""
    for index in range(len(stack) - 1, -1, -1):
        if stack[index] == tag:
            del stack[index:]
            return
        if stack[index] in barriers:
            return


def _start_tag(stack, tag):
    # The start tags that close open elements, as the standard's "in body" rules do.
    if tag in _CLOSES_P:
        _pop_to(stack, "p", _BUTTON_SCOPE)
    if tag in _HEADINGS and stack and stack[-1] in _HEADINGS:
        stack.pop()
    if tag == "li":
        _pop_to(stack, "li", _SPECIAL - {"address", "div", "p"})
    elif tag in {"dd", "dt"}:
        for item in ("dd", "dt"):
            _pop_to(stack, item, _SPECIAL - {"address", "div", "p", item})
    elif tag in {"td", "th"} and "table" in stack:
        for cell in ("td", "th"):
            _pop_to(stack, cell, _TABLE_SCOPE)
    elif tag == "tr" and "table" in stack:
        _pop_to(stack, "tr", _TABLE_SCOPE)
    elif tag == "a":
        _pop_to(stack, "a", _SPECIAL)
    elif tag in {"option", "optgroup"} and stack and stack[-1] == "option":
        stack.pop()


def _end_tag(stack, tag):
    if tag in _TABLE_PARTS:
        _pop_to(stack, tag, _TABLE_SCOPE - {tag})
    elif tag == "li":
        _pop_to(stack, tag, _LIST_ITEM_SCOPE)
    elif tag == "p":
        _pop_to(stack, tag, _BUTTON_SCOPE)
    elif tag in _SPECIAL:
        _pop_to(stack, tag, _SCOPE - {tag})
    else:
        _pop_to(stack, tag, _SPECIAL)


_ANY_TAG = re.compile(r"<[^>]*>")
# nh3's output: tags whose attribute values are quoted and escaped, and text.
_TOKEN = re.compile(r"<(/?)([^\s/>]+)([^>]*)>|([^<]+)")
_HREF_VALUE = re.compile(r'(?:^|\s)href="([^"]*)"')
_MERGEABLE = {"<b>", "<i>", "<sup>", "<sub>"}
_TOO_DEEP = object()


def _normalise(clean_html: str) -> str:
    """Sanitised HTML in the canonical form Wagtail stores: top-level paragraphs and lists,
    whitespace collapsed, <strong>/<em> as <b>/<i>, no empty paragraphs.

    Normalising the output again changes nothing, so questions exported to GIFT and imported
    again come back unchanged.
    """
    root = _tree(clean_html)
    blocks, paragraph = [], []

    def close_paragraph():
        text = _tidy_paragraph(_join_inline(paragraph))
        if _has_text(text):
            blocks.append(f"<p>{text}</p>")
        paragraph.clear()

    for kind, piece in _segments(root.children, ()):
        if kind == "inline":
            paragraph.append(piece)
        else:
            close_paragraph()
            if kind == "list":
                blocks.append(piece)
    close_paragraph()
    return "".join(blocks)


def _paragraph_of_lines(text):
    """Lines of text as one paragraph, as _normalise writes each text between line breaks."""
    lines = _WHITE_SPACE_IN_LINE.sub(" ", html.escape(text, quote=False)).split("\n")
    paragraph = _tidy_paragraph("<br/>".join(lines))
    return f"<p>{paragraph}</p>" if _has_text(paragraph) else ""


class _Element:
    __slots__ = ("children", "href", "tag")

    def __init__(self, tag, href=None):
        self.tag = _RENAMED.get(tag, tag)
        self.href = href
        self.children = []


_BR = _Element("br")  # every line break: it has no children


# The character references html5ever writes (in text and in attribute values).
_WRITTEN_REFERENCES = [("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&nbsp;", "\xa0")]


def _unescape_written(text):
    """nh3's escaped text as text: html.unescape, quicker for the few references nh3 writes."""
    if "&" not in text:
        return text
    n_written = sum(text.count(reference) for reference, _char in _WRITTEN_REFERENCES)
    if text.count("&") != n_written + text.count("&amp;"):
        return html.unescape(text)
    for reference, char in _WRITTEN_REFERENCES:
        text = text.replace(reference, char)
    return text.replace("&amp;", "&")


def _tree(clean_html):
    """nh3's output as a tree of elements and text (it is well formed, so no repairs)."""
    root = _Element("root")
    stack = [root]
    children = root.children
    for closing, tag, attributes, text in _TOKEN.findall(clean_html):
        if text:
            children.append(_unescape_written(text))
        elif tag == "br":
            children.append(_BR)
        elif closing:
            tag = _RENAMED.get(tag, tag)
            for depth in range(len(stack) - 1, 0, -1):
                if stack[depth].tag == tag:
                    del stack[depth:]
                    break
            children = stack[-1].children
        else:
            href = None
            if tag == "a" and (value := _HREF_VALUE.search(attributes)):
                href = _unescape_written(value.group(1))
            element = _Element(tag, href)
            children.append(element)
            stack.append(element)
            children = element.children
            if len(stack) > MAX_HTML_DEPTH + 1:
                raise TooComplex(_too_deep_message())
    return root


def _too_deep_message():
    return _("The HTML is nested more than %(n)d levels deep; simplify the formatting.") % {
        "n": MAX_HTML_DEPTH
    }


_WHITE_SPACE = re.compile(r"\s+")
_WHITE_SPACE_IN_LINE = re.compile(r"[^\S\n]+")


def _text(node):
    return html.escape(_WHITE_SPACE.sub(" ", node), quote=False)


def _segments(nodes, wrappers, is_preformatted=False):
    """Top-level pieces: ("inline", piece), ("break", None) between paragraphs, ("list", html).

    An inline piece is HTML, or a (wrappers, text) pair: text inside inline formatting, which
    is carried into each paragraph that it contains.
    """
    for node in nodes:
        if isinstance(node, str):
            if is_preformatted:
                # A <pre> block's lines (code, a log, a poem) stay lines: its line ends are breaks.
                lines = node.split("\n")
                yield "inline", (wrappers, _text(lines[0]))
                for line in lines[1:]:
                    yield "inline", "<br/>"
                    yield "inline", (wrappers, _text(line))
            else:
                yield "inline", (wrappers, _text(node))
        elif node.tag in _LISTS:
            yield "list", _list_html(node)
        elif node.tag == "br":
            yield "inline", "<br/>"
        elif node.tag in _BREAKS or node.tag == "li":
            yield "break", None
            yield from _segments(node.children, wrappers, is_preformatted or node.tag == "pre")
            yield "break", None
        elif node.tag in _INLINE:
            yield from _segments(node.children, _inside(wrappers, node), is_preformatted)
        elif node.tag in _CELLS:
            yield "inline", " "
            yield from _segments(node.children, wrappers, is_preformatted)
            yield "inline", " "
        else:
            yield from _segments(node.children, wrappers, is_preformatted)


def _inside(wrappers, element):
    opening = _opening(element)
    if not opening:
        return wrappers
    if len(wrappers) >= MAX_FORMATTING_DEPTH:
        raise TooComplex(
            _(
                "Bold, italic, links, superscript and subscript are nested more than %(n)d "
                "levels deep; simplify the formatting."
            )
            % {"n": MAX_FORMATTING_DEPTH}
        )
    return (*wrappers, opening)


def _opening(element):
    if element.tag == "a":
        # A link without an address is only its text.
        return f'<a href="{html.escape(element.href, quote=True)}">' if element.href else ""
    return f"<{element.tag}>"


def _closing(wrappers):
    return "".join(
        f"</{opening[1:].split('>')[0].split(' ')[0]}>" for opening in reversed(wrappers)
    )


def _join_inline(pieces):
    """The pieces as HTML: each text inside its wrappers, where formatting a text node ends
    and the next one starts again is joined (<b>a</b><b>b</b> is <b>ab</b>); links are not."""
    out = []
    current = ()
    for piece in pieces:
        if isinstance(piece, str):
            if piece:
                if current:
                    out.append(_closing(current))
                    current = ()
                out.append(piece)
            continue
        wrappers, text = piece
        if wrappers is not current or not _MERGEABLE.issuperset(wrappers):
            kept = 0
            for opened, opening in zip(current, wrappers, strict=False):
                if opened != opening or opened not in _MERGEABLE:
                    break
                kept += 1
            if kept < len(current):
                out.append(_closing(current[kept:]))
            out.append("".join(wrappers[kept:]))
            current = wrappers
        out.append(text)
    if current:
        out.append(_closing(current))
    return "".join(out)


def _list_html(element):
    items = []  # each item's HTML, in parts
    loose = []
    for child in element.children:
        if isinstance(child, _Element) and child.tag == "li":
            items.append([_tidy_paragraph(_join_inline(_inline_pieces(child.children, ())))])
        elif isinstance(child, _Element) and child.tag in _LISTS and items:
            items[-1].append(_list_html(child))
        else:
            loose.append(child)
    items = ["".join(parts) for parts in items]
    stray = _tidy_paragraph(_join_inline(_inline_pieces(loose, ())))
    if _has_text(stray):
        items.append(stray)
    items = [item for item in items if _has_text(item)]
    if not items:
        return ""
    return f"<{element.tag}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{element.tag}>"


def _inline_pieces(nodes, wrappers, pieces=None):
    """The nodes as inline pieces (see _segments), lists written out in place."""
    pieces = [] if pieces is None else pieces
    for node in nodes:
        if isinstance(node, str):
            pieces.append((wrappers, _text(node)))
        elif node.tag in _LISTS:
            pieces.append(_list_html(node))
        elif node.tag == "br":
            pieces.append("<br/>")
        elif node.tag in _INLINE:
            _inline_pieces(node.children, _inside(wrappers, node), pieces)
        else:
            pieces.append(" ")
            _inline_pieces(node.children, wrappers, pieces)
            pieces.append(" ")
    return pieces


_OPENING_TAGS = re.compile(r"(?:<[^/][^>]*>)*")
# Closing tags and line breaks at the end of a paragraph, read backwards.
_CLOSING_TAGS_REVERSED = re.compile(r"(?:>/rb<|>[^<]+/<)*")


_SPACES = re.compile(r" {2,}")
_SPACED_BREAK = re.compile(r" ?<br/> ?")
_SPACE_AFTER_OPENING = re.compile(r"^((?:<[^/][^>]*>)*) ")
_SPACE_BEFORE_CLOSING = re.compile(r" ((?:</[^>]+>)*)$")


def _tidy_paragraph(fragment):
    if "  " in fragment:
        fragment = _SPACES.sub(" ", fragment)
    has_breaks = "<br/>" in fragment
    if has_breaks:
        fragment = _SPACED_BREAK.sub("<br/>", fragment)
    fragment = fragment.strip()
    if " " in fragment:
        fragment = _SPACE_AFTER_OPENING.sub(r"\1", fragment)
        fragment = _SPACE_BEFORE_CLOSING.sub(r"\1", fragment)
    if not has_breaks:
        return fragment
    # No line break before a paragraph's first text or after its last.
    head = _OPENING_TAGS.match(fragment).end()
    tail = len(fragment) - _CLOSING_TAGS_REVERSED.match(fragment[::-1]).end()
    if "<br/>" in fragment[:head] or "<br/>" in fragment[tail:]:
        if head >= tail:
            return fragment.replace("<br/>", "")
        fragment = (
            fragment[:head].replace("<br/>", "")
            + fragment[head:tail]
            + fragment[tail:].replace("<br/>", "")
        )
    return fragment


def _has_text(fragment):
    """Whether HTML shows any text (and not only tags and white space)."""
    if "<" not in fragment:
        return not fragment.isspace() and fragment != ""
    return bool(_ANY_TAG.sub("", fragment).strip())


# Markdown ----------------------------------------------------------------------------------------
#
# Each rule reads as a regular expression and is applied so that no character is read again for
# every place a rule might start: a file of unclosed "**" or "[" costs what its length does.

_LIST_ITEM = re.compile(r"^\s*(?P<marker>[-*+]|\d+[.)])\s+(?P<text>.*)$")
_HEADING_START = re.compile(r"#{1,6}\s++")


def markdown_to_html(text: str) -> str:
    """The Markdown subset question texts use: paragraphs, line breaks (two trailing spaces),
    bold, italic, code, links, images (reported and dropped later), headings (as bold
    paragraphs) and lists, which may follow a paragraph line directly (as in CommonMark). HTML
    inside Markdown passes through, to be sanitised like any other.
    """
    return "".join(_markdown_block(block) for block in re.split(r"\n[ \t]*\n", text.strip()))


def _heading(line):
    """The text of a heading line ("## Text ##"), or None."""
    start = _HEADING_START.match(line)
    if start is None:
        return None
    # As ^#{1,6}\s+(.*?)\s*#*$ reads it: the closing hashes and the spaces before them go.
    return line[start.end() :].rstrip("#").rstrip()


def _markdown_block(block):
    out, paragraph, items = [], [], []  # each item in parts
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
            entries = "".join(f"<li>{_inline(''.join(parts))}</li>" for parts in items)
            out.append(f"<{list_tag}>{entries}</{list_tag}>")
            items.clear()

    for line in block.split("\n"):
        item = _LIST_ITEM.match(line)
        heading = _heading(line)
        if item:
            flush_paragraph()
            tag = "ul" if item["marker"] in "-*+" else "ol"
            if items and tag != list_tag:
                flush_list()
            list_tag = tag
            items.append([item["text"]])
        elif items and line.startswith((" ", "\t")):
            items[-1].append(" " + line.strip())
        elif heading is not None:
            flush_paragraph()
            flush_list()
            out.append(f"<p><b>{_inline(heading)}</b></p>")
        else:
            flush_list()
            paragraph.append(line)
    flush_paragraph()
    flush_list()
    return "".join(out)


_INLINE_MARKS = re.compile(r"[`\[*_]")


def _inline(text):
    if not _INLINE_MARKS.search(text):
        return text
    codes = []

    def keep_code(match):
        codes.append(html.escape(match["code"]))
        return f"\x00{len(codes) - 1}\x00"

    text = re.sub(r"`(?P<code>[^`]+)`", keep_code, text)
    # ![alt](src title) and [label](href title)
    text = _bracketed(text, "![", 0, lambda alt, src: f'<img alt="{alt}">')
    text = _bracketed(
        text, "[", 1, lambda label, href: f'<a href="{html.escape(href)}">{label}</a>'
    )
    text = _emphasis(text, _BOLD, "b")
    text = _emphasis(text, _ITALIC_STAR, "i")
    text = _emphasis(text, _ITALIC_UNDERSCORE, "i")
    return re.sub(r"\x00(\d+)\x00", lambda match: codes[int(match[1])], text)


_URL = re.compile(r"[^)\s]*")


def _bracketed(text, opening, shortest, write):
    """re.sub of opening + ([^\\]]{shortest,})\\]\\(([^)\\s]+)[^)]*\\) with write(label, url).

    Every opening between one "]" and the next ends its label at the same "]", so only the first
    of them can match; and once no ")" follows, nothing further can.
    """
    out, written, floor = [], 0, 0
    while text.find(opening, floor) != -1 and (close := text.find("](", floor)) != -1:
        start = text.find(opening, max(text.rfind("]", floor, close) + 1, floor), close)
        if start == -1 or close - start - len(opening) < shortest:
            floor = close + 1
            continue
        url_end = _URL.match(text, close + 2).end()
        if url_end == close + 2:
            floor = close + 1
            continue
        end = text.find(")", url_end)
        if end == -1:
            break
        label, url = text[start + len(opening) : close], text[close + 2 : url_end]
        out += [text[written:start], write(label, url)]
        written = floor = end + 1
    out.append(text[written:])
    return "".join(out)


@dataclass(frozen=True)
class _Emphasis:
    pattern: re.Pattern  # the whole span, opening to closing delimiter, on one line
    start: re.Pattern  # where the span may start


_BOLD = [
    _Emphasis(re.compile(r"\*\*(?=\S)(?P<inner>.+?)(?<=\S)\*\*"), re.compile(r"\*\*(?=\S)")),
    _Emphasis(re.compile(r"__(?=\S)(?P<inner>.+?)(?<=\S)__"), re.compile(r"__(?=\S)")),
]
_ITALIC_STAR = [
    _Emphasis(
        re.compile(r"(?<![\w*])\*(?=\S)(?P<inner>.+?)(?<=\S)\*(?!\*)"),
        re.compile(r"(?<![\w*])\*(?=\S)"),
    )
]
_ITALIC_UNDERSCORE = [
    _Emphasis(
        re.compile(r"(?<![\w_])_(?=\S)(?P<inner>.+?)(?<=\S)_(?![\w_])"),
        re.compile(r"(?<![\w_])_(?=\S)"),
    )
]


def _emphasis(text, kinds, tag):
    """re.sub of the kinds' patterns (tried as one alternation) with <tag>inner</tag>.

    A span that finds no closing delimiter on its line is the last chance for that delimiter on
    the line: any later opening needs a closing further on still. So each line is read once per
    delimiter however many openings fail.
    """
    out, written = [], 0
    dead_until = [0] * len(kinds)  # where each delimiter may open again
    following = [kind.start.search(text) for kind in kinds]
    while True:
        candidates = [(found.start(), n) for n, found in enumerate(following) if found]
        if not candidates:
            break
        start, n = min(candidates)
        match = kinds[n].pattern.match(text, start)
        if match:
            out += [text[written:start], f"<{tag}>{match['inner']}</{tag}>"]
            written = match.end()
            for k, kind in enumerate(kinds):
                if following[k] and following[k].start() < written:
                    following[k] = kind.start.search(text, max(written, dead_until[k]))
            continue
        line_end = text.find("\n", start)
        dead_until[n] = len(text) if line_end == -1 else line_end
        following[n] = kinds[n].start.search(text, dead_until[n])
    out.append(text[written:])
    return "".join(out)
