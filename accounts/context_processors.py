def current_membership(request):
    membership = getattr(request, "membership", None)
    if membership is not None:
        # Resolving the membership reads the active memberships once; the switcher lists those.
        bool(membership)
    return {"current_membership": membership, "my_memberships": getattr(request, "active_memberships", [])}
