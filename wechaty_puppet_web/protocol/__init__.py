"""Wire data and its one parser.

``raw`` (TypedDicts in the wire's spelling), ``parse`` (the public entry points: contacts, rooms,
members, messages, friendships and the XML extractors re-exported from ``appmsg``), ``sysmsg``
(the zh/en system-message table), ``text`` (HTML → plain text), ``xml`` (safe XML reading) and
``wire`` (tolerant field readers).
"""
