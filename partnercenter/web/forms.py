"""Helpers every form may use: the crispy helper, service errors beside their fields."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError, *, field_map=None) -> None:
    """Put a service's ValidationError on ``form``, beside the field it concerns.

    ``field_map`` renames model fields to form fields (``{"username": "email"}``);
    errors on fields the form doesn't have go to the top of the form.
    """
    field_map = field_map or {}
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            name = field_map.get(field, field)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def form_helper(submit_label, *, form_tag: bool = True) -> FormHelper:
    """A crispy FormHelper with one submit button labelled ``submit_label`` (None: the
    template writes its buttons, e.g. **Save** beside **Cancel**).

    ``novalidate`` leaves validation to the server, so every error appears as
    the same clear message beside its field, whatever the browser. With
    ``form_tag=False`` the template writes the ``<form>`` (and its hidden
    submission key) itself.
    """
    helper = FormHelper()
    helper.form_tag = form_tag
    helper.attrs = {"novalidate": ""}
    if submit_label is not None:
        helper.add_input(Submit("submit", submit_label))
    return helper
