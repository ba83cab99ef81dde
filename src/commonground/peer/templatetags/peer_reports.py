"""How a report's cells read on a page: a hidden count is named in the reader's language.

The report itself (``peer/reports.py``) marks a hidden cell with one fixed word, so the CSV and
the API, which other programs read, are the same in every language.
"""

from django import template
from django.utils.translation import gettext

from commonground.peer.reports import SUPPRESSED

register = template.Library()


@register.filter
def cell(value):
    return gettext("suppressed") if value == SUPPRESSED else value
