"""Times leave the API as ISO-8601 UTC with milliseconds: 2026-05-07T12:34:56.000Z."""
import datetime as dt


def iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def unix_ms(value: dt.datetime) -> int:
    return int(value.timestamp() * 1000)
