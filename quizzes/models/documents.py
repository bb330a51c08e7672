"""Source documents and the titled sections they are split into."""

from django.db import models
from django.db.models import Q

from quizzes.splitting import subtree_text

# What Section.path() reads: the document and three levels of parents in one join
# (Markdown headings nest deeper only in rare documents, which then cost a query
# per extra level).
SECTION_PATH_RELATED = ["document", "parent__parent__parent"]


class SourceDocument(models.Model):
    """A clinical text as imported: its full text and the checksum of its file."""

    title = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255, unique=True)
    text = models.TextField(help_text="The document's text, markup removed.")
    checksum = models.CharField(
        max_length=64, help_text="SHA-256 of the imported file's bytes."
    )
    source_name = models.CharField(
        max_length=255, blank=True, help_text="The file it was imported from."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""), name="sourcedocument_text_not_empty"
            ),
        ]

    def __str__(self):
        return self.title


class Section(models.Model):
    """A titled part of a document; its ``text`` is an exact slice of the document.

    Joined in ``order``, the texts of a document's sections give back the document.
    A section's own text runs up to its first subsection; ``full_text()`` adds them.
    """

    document = models.ForeignKey(
        SourceDocument, on_delete=models.CASCADE, related_name="sections"
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subsections",
    )
    order = models.PositiveIntegerField()
    level = models.PositiveSmallIntegerField(
        default=1, help_text="1 for a top-level section, 2 for its subsections…"
    )
    title = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255)
    text = models.TextField()

    class Meta:
        ordering = ["document", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "order"], name="section_unique_order"
            ),
            models.UniqueConstraint(
                fields=["document", "slug"], name="section_unique_slug"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1), name="section_level_gte_1"
            ),
            # A top-level section has no parent; a subsection always has one.
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True)
                | Q(level__gt=1, parent__isnull=False),
                name="section_parent_matches_level",
            ),
        ]

    def __str__(self):
        return self.title

    def path(self) -> str:
        """ "Document › Parent › Section": where the section sits.

        Walks the parents: select_related ``SECTION_PATH_RELATED`` to read the usual
        depths without a query per level.
        """
        titles = []
        node = self
        while node is not None:
            titles.append(node.title)
            node = node.parent
        return " › ".join([self.document.title, *reversed(titles)])

    @property
    def is_top_level(self) -> bool:
        return self.level == 1

    def full_text(self) -> str:
        """This section's text followed by that of all its subsections."""
        following = list(
            self.document.sections.filter(order__gte=self.order).only(
                "order", "level", "text"
            )
        )
        return subtree_text(following, 0)
