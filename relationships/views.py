"""Indirect providers / Indirect resellers pages (seed 004)."""

from django.shortcuts import render

from relationships.selectors import indirect_partnerships_for_user


def indirect_providers(request):
    """**Indirect providers**: the providers an indirect reseller works with."""
    partnerships = indirect_partnerships_for_user(request.user, side="providers")
    return render(request, "relationships/indirect_providers.html", {"partnerships": partnerships})


def indirect_resellers(request):
    """**Indirect resellers**: the resellers an indirect provider works with."""
    partnerships = indirect_partnerships_for_user(request.user, side="resellers")
    return render(request, "relationships/indirect_resellers.html", {"partnerships": partnerships})
