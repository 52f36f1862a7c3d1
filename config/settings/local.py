"""The embedded default for `make run`: SQLite, local media, DEBUG on."""
from config.settings.base import *  # noqa: F401,F403
from config.settings.base import env_bool

DEBUG = env_bool("DEBUG", True)
