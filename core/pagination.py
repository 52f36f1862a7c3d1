"""`?page=1&limit=50` (limit ≤ 100) → {success, <items>: [...], pagination: {...}}."""
import math

from rest_framework.response import Response

from core.errors import ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


def _int_param(request, name: str, default: int, *, low: int, high: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed(f"{name} must be an integer.", details={name: ["Must be an integer."]})
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"≥ {low}"
        raise ValidationFailed(f"{name} must be {bound}.", details={name: [f"Must be {bound}."]})
    return value


def paginated_response(request, queryset, *, key: str, serialize, extra: dict | None = None) -> Response:
    page = _int_param(request, "page", 1, low=1)
    limit = _int_param(request, "limit", DEFAULT_LIMIT, low=1, high=MAX_LIMIT)
    total = queryset.count()
    items = list(queryset[(page - 1) * limit : page * limit])
    total_pages = math.ceil(total / limit) if total else 0
    body = {
        "success": True,
        key: [serialize(item) for item in items],
        "pagination": {
            "page": page,
            "limit": limit,
            "totalCount": total,
            "totalPages": total_pages,
            "hasNext": page < total_pages,
        },
    }
    if extra:
        body.update(extra)
    return Response(body)
