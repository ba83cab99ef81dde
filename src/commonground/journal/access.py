"""The one place private objects are looked up: by the signed-in owner, or not at all (404).

Every private view goes through ``private_page`` (signed in, or off to sign in) and fetches
objects with ``owned``. Another person's object, or any object for a signed-out visitor, is a
404: a 403 would say that it exists. ``tests/journal/test_access.py`` walks every private URL.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404


def private_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if kwargs:  # an object's address: say nothing about it
                raise Http404("Not found.")
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapper.private = True
    return wrapper


def owned(request, model, pk):
    """The object ``pk`` of ``model`` if it belongs to the signed-in person; else 404."""
    if not request.user.is_authenticated:
        raise Http404("Not found.")
    found = model.objects.filter(pk=pk, user=request.user).first()
    if found is None:
        raise Http404("Not found.")
    return found


def mine(request, model):
    return model.objects.filter(user=request.user)
