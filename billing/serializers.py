"""Output shapes of billing objects (API and page)."""
from core.timefmt import iso


def ledger_entry_to_dict(entry) -> dict:
    return {
        "id": f"led_{entry.pk}",
        "kind": entry.kind,
        "amount": entry.amount,
        "balanceAfter": entry.balance_after,
        "description": entry.description,
        "reference": entry.reference or None,
        "createdAt": iso(entry.created_at),
    }
