from __future__ import annotations

from django import forms

from accounts.models import ApiToken
from accounts.roles import Role


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, required=False, help_text="What the token is for, e.g. “CMS sync”.")
    scope = forms.ChoiceField(choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)


class UserCreateForm(forms.Form):
    username = forms.RegexField(regex=r"^[\w.@+-]+$", max_length=150,
                                help_text="Letters, digits and @/./+/-/_ only.")
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)
    password = forms.CharField(widget=forms.PasswordInput, required=False,
                               help_text="Leave empty to create an account that cannot sign in yet.")


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
