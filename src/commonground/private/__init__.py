"""The private floor: what the companion (``journal``) and the peer workspace (``peer``) both need,
so neither reaches into the other. Field encryption (``crypto``), opaque ids for private addresses
(``ids``), the shared form pieces (``forms``) and the chart style (``charts``). It stands on the
ground floor only and imports neither private app."""
