"""Opaque, sortable ids: `gen_<ULID>`, `evt_<ULID>`, `req_<ULID>`…"""
from ulid import ULID


def new_id(prefix: str) -> str:
    return f"{prefix}_{ULID()}"
