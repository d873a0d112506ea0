from audit.context import acting_as


class ActorMiddleware:
    """Makes the logged-in user and their current structure the actor of every change in the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        def resolve():
            if not request.user.is_authenticated:
                return None, None
            membership = getattr(request, "membership", None)
            return request.user, (membership.structure if membership else None)

        with acting_as(resolve=resolve):
            return self.get_response(request)
