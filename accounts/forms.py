"""Forms of the account pages (sign up, log in). Email is the login."""
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User


class SignupForm(forms.Form):
    email = forms.EmailField(
        label=pgettext_lazy("dashboard", "Email"), max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True, "dir": "ltr"}),
    )
    password1 = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    password2 = forms.CharField(
        label=_("Confirm password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email already exists. Log in instead."), code="exists")
        return email

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", forms.ValidationError(_("The two passwords don't match."), code="mismatch"))
        elif p1 and cleaned.get("email"):
            try:
                password_validation.validate_password(p1, User(email=cleaned["email"]))
            except forms.ValidationError as err:
                self.add_error("password1", err)
        return cleaned


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=pgettext_lazy("dashboard", "Email"), max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True, "dir": "ltr"}),
    )
    error_messages = {
        "invalid_login": _("That email and password don't match an account."),
        "inactive": _("This account is disabled."),
    }

    def clean_username(self):
        return (self.cleaned_data.get("username") or "").strip().lower()
