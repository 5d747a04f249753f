"""Python modules generated from npm ``wechaty-grpc``'s ``.proto`` files (by :mod:`..protogen`).

Everything in this folder except this file is generated at set-up / build time and git-ignored;
:func:`require` turns a missing generation into a clear error instead of an ``ImportError`` deep
inside the service.
"""

from __future__ import annotations

import importlib.util

from ...errors import ServiceError

MISSING = (
    "the gRPC stubs of wechaty-grpc are not generated: run `make setup` in a source checkout "
    "(`python -m wechaty_puppet_web.service.protogen` fetches npm wechaty-grpc 1.5.2), or install a "
    "wheel built after it"
)


def require() -> None:
    """Raise :class:`ServiceError` when the generated modules are absent or unusable."""
    if importlib.util.find_spec(f"{__name__}.puppet_pb2") is None:
        raise ServiceError(MISSING)
    try:
        importlib.import_module(f"{__name__}.puppet_pb2")
    except Exception as exc:  # protobuf older than the generator (VersionError), or broken
        raise ServiceError(
            f"the generated gRPC stubs cannot be loaded ({type(exc).__name__}: {exc}); "
            "upgrade protobuf (`pip install -U protobuf`) or regenerate them (`make setup`)"
        ) from None
