"""What every dashboard page needs: the theme chosen and the text direction."""
from django.utils.translation import get_language_bidi


def ui(request):
    theme = request.COOKIES.get("audome_theme", "auto")
    return {
        "ui_theme": theme if theme in ("light", "dark", "auto") else "auto",
        "ui_dir": "rtl" if get_language_bidi() else "ltr",
    }
