"""The puppet facade: :class:`PuppetWeb` and the topic mixins it is assembled from.

``facade`` puts the class together; ``core`` holds shared state and event emission,
``envelopes`` turns page envelopes into events, ``contacts``/``rooms``/``messaging`` are the
Puppet API by topic, ``media`` does uploads and downloads, and ``page`` owns the browser side.
"""

from .facade import PuppetWeb

__all__ = ["PuppetWeb"]
