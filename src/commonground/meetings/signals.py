"""``data_changed``: sent after a transaction that changed meetings has committed.

Sent with ``version=(number, changed_at)``. Receivers (the published feed, the search index)
build what belongs to the new version; meetings itself knows nothing about them.
"""

from django.dispatch import Signal

data_changed = Signal()
