"""Where the token and the server's address come from: arguments first, then the environment
(`AUDOME_TOKEN`, `AUDOME_BASE_URL`), then the file `audome login` writes (in the user's config
directory, mode 600)."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

DEFAULT_BASE_URL = "https://audome.io"


def config_dir() -> Path:
    if os.environ.get("AUDOME_CONFIG_DIR"):
        return Path(os.environ["AUDOME_CONFIG_DIR"])
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "audome"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "audome"
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "audome"


def config_path() -> Path:
    return config_dir() / "config.json"


def load_config() -> dict[str, Any]:
    try:
        data = json.loads(config_path().read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_config(values: dict[str, Any]) -> Path:
    """Writes the file with mode 600 (created that way, never world-readable for a moment)."""
    return _write({**load_config(), **values})


def _write(data: dict[str, Any]) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
    os.chmod(path, 0o600)  # an older file keeps its mode through O_TRUNC
    return path


def clear_token() -> bool:
    data = load_config()
    if "token" not in data:
        return False
    del data["token"]
    _write(data)
    return True


def resolve_token(token: str | None = None) -> str | None:
    return token or os.environ.get("AUDOME_TOKEN") or load_config().get("token") or None


def resolve_base_url(base_url: str | None = None) -> str:
    url = base_url or os.environ.get("AUDOME_BASE_URL") or load_config().get("base_url") or DEFAULT_BASE_URL
    return str(url).rstrip("/")
