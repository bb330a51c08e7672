"""HTML from a question file, made into this platform's plain text.

Stems, options and feedback are plain text here (the templates escape them), so an
imported ``[html]`` GIFT text or a Moodle XML ``format="html"`` text is sanitised by
reducing it to its text: tags are dropped, the content of ``script``/``style`` is
dropped with them, entities are resolved, and line breaks and block ends become
newlines. Pure code, stdlib parser: nothing is fetched, nothing is executed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose end (or whose own tag, for void elements) ends a line of text.
BLOCK_ELEMENTS = {
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "li", "ol", "p", "pre", "section", "table", "tr", "ul",
}  # fmt: skip
LINE_BREAKS = {"br", "hr"}
DROPPED_WITH_CONTENT = {"script", "style", "template", "head", "title"}


class _TextCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag, attrs):
        if tag in DROPPED_WITH_CONTENT:
            self.dropping += 1
        elif tag in LINE_BREAKS:
            self.parts.append("\n")
        elif tag in BLOCK_ELEMENTS:
            self._end_line()

    def handle_startendtag(self, tag, attrs):
        if tag in LINE_BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in DROPPED_WITH_CONTENT:
            self.dropping = max(0, self.dropping - 1)
        elif tag in BLOCK_ELEMENTS:
            self._end_line()

    def handle_data(self, data):
        if not self.dropping:
            # In HTML a run of whitespace, newlines included, is one space.
            self.parts.append(re.sub(r"\s+", " ", data))

    def _end_line(self):
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")


def html_to_text(html: str) -> str:
    """The text of ``html``, as a reader sees it, with no markup left."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    lines = "".join(collector.parts).split("\n")
    text = "\n".join(line.strip() for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
