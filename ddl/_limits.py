"""The limits and thresholds both engines apply, each defined here once.

Wire-format facts (wire types, the largest field number) live in ``_wire``; these are ddl's own
choices.
"""

from __future__ import annotations

#: How deep messages may nest on encode and decode unless ``max_depth`` says otherwise. protobuf's
#: runtimes use 100 as well, so a message one of them accepts is accepted here.
DEFAULT_MAX_DEPTH = 100

#: Decodes of more input than this pause the cyclic GC (see ``_gcpause``): below it the objects
#: made are too few for a collection to start meanwhile.
GC_PAUSE_BYTES = 16384
