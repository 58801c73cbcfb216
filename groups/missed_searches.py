"""Searches of the public directory that found nothing: counted, listed for staff, resolved.

A seeker's words that found no group tell staff which words the thesaurus is missing.
What is kept is only the normalised words, per office and month, with a count: no
address, no session, no time finer than the month. Words that may be personal data
(an e-mail address, a phone number, a web address, anything with four or more digits)
are dropped before anything is stored, and staff see a query only once it was asked
at least ``MIN_ASKED`` times. Rows older than the retention period
(``RETENTION_DAYS["missed_search"]``) are deleted by ``apply_retention``.
"""

import datetime
import logging
import re
import unicodedata

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from groups import services, text
from groups.models import MissedSearch, Topic

logger = logging.getLogger(__name__)

MIN_ASKED = 3  # staff see a query from this many searches on
MAX_QUERY = MissedSearch._meta.get_field("query").max_length
MAX_SUGGESTIONS = 3
# A chunk of the query (between blanks) that may identify a person: an e-mail address
# or handle, a web address, or four or more digits (phone numbers, postcodes, dates).
_PERSONAL = re.compile(r"@|://|^www\.|(?:\d\D*){4}", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:[-/][^\W_]+)*")  # letters and digits, inner hyphens/slashes


def normalise(query):
    """The words of ``query`` as they are counted, or "" when nothing is worth counting.

    Folded (lower case, umlauts as ae/oe/ue/ss), without stop words and repeats, sorted,
    so "Trauer Kind" and "kind trauer" count as one query; at most 12 words and 200
    characters. Dropped: chunks that may be personal data (see the module), words of
    digits only or of fewer than two characters. A query with fewer than two letters
    left is not counted.
    """
    chunks = [chunk for chunk in query[: text.MAX_INPUT].split() if not _PERSONAL.search(chunk)]
    words, letters = [], 0
    for chunk in chunks:
        for word in _WORD.findall(unicodedata.normalize("NFKC", chunk)):
            folded = text.fold(word)
            if (
                len(word) >= text.MIN_TERM
                and len(folded) <= text.MAX_WORD_LENGTH
                and any(char.isalpha() for char in word)
                and folded not in text.STOP_WORDS
                and folded not in words
            ):
                words.append(folded)
                letters += sum(char.isalpha() for char in word)
    words = sorted(words[: text.MAX_WORDS])
    while len(" ".join(words)) > MAX_QUERY:
        words.pop()
    return " ".join(words) if letters >= 2 else ""


def record(office, query):
    """Count one search of ``office``'s directory that found nothing; never raises.

    Only ``normalise(query)`` is stored, in this month's row, counted up atomically
    (safe when two requests count the same query at once, on SQLite and PostgreSQL).
    When the database refuses, a warning is logged and the caller goes on.
    """
    words = normalise(query)
    if office is None or not words:
        return
    month = timezone.localdate().replace(day=1)
    try:
        with transaction.atomic():
            _count(office, words, month)
    except DatabaseError:
        logger.warning("A search without result could not be counted.", exc_info=True)


def _count(office, words, month):
    rows = MissedSearch.objects.filter(office=office, query=words, month=month)
    if rows.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            MissedSearch.objects.create(office=office, query=words, month=month, count=1)
    except IntegrityError:  # another request created the row in the meantime
        rows.update(count=F("count") + 1)


def retained_since(today=None):
    """The first day whose month's counts are kept (and shown); older ones are deleted."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=settings.RETENTION_DAYS["missed_search"])


def frequent(user):
    """The user's office's queries asked at least ``MIN_ASKED`` times in the retention
    period, most asked first: dicts of ``query`` and ``asked``, summed by the database."""
    return (
        MissedSearch.objects.for_user(user)
        .filter(month__gte=retained_since())
        .values("query")
        .annotate(asked=Sum("count"))
        .filter(asked__gte=MIN_ASKED)
        .order_by("-asked", "query")
    )


def dismiss(user, query):
    """Forget ``query`` for the user's office (every month); returns the rows deleted."""
    deleted, _by_model = MissedSearch.objects.for_user(user).filter(query=query).delete()
    return deleted


@transaction.atomic
def add_as_synonym(user, query, topic, term):
    """Add ``term`` (the query, as staff may have corrected it) as a synonym of ``topic``
    and forget ``query`` for the user's office, together or not at all.

    Raises ``GroupError`` when the topic already has that synonym.
    """
    synonym = services.add_synonym(user, topic, term)
    dismiss(user, query)
    return synonym


def _terms(phrase):
    """The folded words of ``phrase`` and their stems."""
    words = text.words(phrase)
    return {*words, *map(text.stem, words)}


def _related(word, term):
    """Equal, or one holds the other as a part of five or more letters ("trauer" and
    "trauerfall", not "trau" and "trauma")."""
    return word == term or (min(len(word), len(term)) >= 5 and (word in term or term in word))


class TopicChooser:
    """The thesaurus, read once for a page: the choices of a topic select, with the
    topics whose names or synonyms a query's words partly match first."""

    def __init__(self):
        topics = (
            Topic.objects.select_related("category")
            .prefetch_related("synonyms")
            .order_by("category__name", "name")
        )
        self.terms = {}
        by_category = {}
        for topic in topics:
            phrases = [topic.name, *(synonym.term for synonym in topic.synonyms.all())]
            self.terms[topic] = set().union(*map(_terms, phrases))
            by_category.setdefault(topic.category.name, []).append((topic.pk, topic.name))
        self.all = [("", "---------"), *by_category.items()]

    def suggestions(self, query):
        """Up to three topics sharing (parts of) words with ``query``, best first."""
        words = _terms(query)
        scored = []
        for topic, terms in self.terms.items():
            score = sum(any(_related(word, term) for term in terms) for word in words)
            if score:
                scored.append((-score, topic.name.casefold(), topic))
        return [topic for *_key, topic in sorted(scored)[:MAX_SUGGESTIONS]]

    def choices(self, suggested):
        if not suggested:
            return self.all
        first = (_("Suggested topics"), [(topic.pk, topic.name) for topic in suggested])
        return [self.all[0], first, *self.all[1:]]
