"""Phone and text (issue 31): find a meeting, or someone to talk to, from any phone.

``providers/`` speaks one SMS/voice provider's webhooks (Twilio first) behind one small interface;
``numbers.py`` keeps a phone number only as a keyed hash; ``gsm.py`` counts SMS segments and cleans
text; ``texts.py`` answers a text; ``finder.py`` reads the finder's search for a place or "now";
``voice.py`` is the call menu and ``helpline.py`` routes a call to the on-shift staff; ``views.py``
the webhooks and the simulator at ``/phone/try``. See docs/phone.md.

It reads the finder's search, the gazetteer and the safety layer; it never imports the private apps.
"""
