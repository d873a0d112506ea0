"""What accounts tells the apps above it, without importing them (layers point down)."""

from django.dispatch import Signal

# Sent with ``membership`` once a membership is deactivated: the apps above end what it gave access to.
membership_deactivated = Signal()
