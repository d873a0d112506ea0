def current_membership(request):
    membership = getattr(request, "membership", None)
    return {"current_membership": membership}
