"""The carnet's page is made of sections that each app registers: pathway sits below the apps that know the
diagnostic, the orientation, the contract or the appointments, so it cannot read them itself.

An app registers its sections, and the actions it offers on the page, from its ``AppConfig.ready()``::

    register_section(
        "diagnostic",
        title="Diagnostic",
        template="entry/carnet/diagnostic.html",
        context=diagnostic_context,   # (request, person, membership) -> dict, or None to leave the section out
        order=40,
    )
    register_action("diagnostic", label="Faire le diagnostic", url=lambda person: reverse(...), section="diagnostic")

``context`` runs for every page view: it reads what the section shows with a bounded number of queries (one or
two, whatever the size of the person's file) and returns the template's context; the template must not run
queries of its own (no lazy relation in a loop). Returning ``None`` leaves the section out for this reader (the
contract for those who may not read it, say). The section template receives ``person``, ``pathway``,
``membership``, ``section`` (title, key), ``actions`` (the actions registered on it that this reader may take) and
what ``context`` returned.

``order`` places the section: pathway's own come first (identity 10, pathway 20, team 30), entry's next (40, 50),
then the follow-up (contract, appointments, alerts: 60 and beyond). The timeline closes the page.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    template: str
    context: Callable
    order: int
    wide: bool = False


@dataclass(frozen=True)
class Action:
    """A link offered on the carnet: in a section (``section``), or in the page's header when ``section`` is
    None. ``allowed(membership, person)`` decides whether this reader sees it; it must be cheap (no query, or
    the cached rules of ``pathway.access``)."""

    key: str
    label: str
    url: Callable
    section: str | None = None
    allowed: Callable | None = None
    order: int = 100
    primary: bool = False


@dataclass
class ShownSection:
    """A section as one reader sees it: its context computed, its actions filtered."""

    section: Section
    context: dict
    actions: list = field(default_factory=list)

    @property
    def key(self):
        return self.section.key

    @property
    def title(self):
        return self.section.title

    @property
    def template(self):
        return self.section.template

    @property
    def wide(self):
        return self.section.wide


_sections: dict[str, Section] = {}
_actions: dict[str, Action] = {}


def register_section(key, *, title, template, context, order, wide=False):
    """Add a section to every carnet; ``wide`` sections take the full width of the page."""
    _sections[key] = Section(key=key, title=title, template=template, context=context, order=order, wide=wide)


def unregister_section(key):
    _sections.pop(key, None)


def register_action(key, *, label, url, section=None, allowed=None, order=100, primary=False):
    """Offer a link on the carnet; ``url(person)`` gives its address."""
    _actions[key] = Action(
        key=key, label=label, url=url, section=section, allowed=allowed, order=order, primary=primary
    )


def unregister_action(key):
    _actions.pop(key, None)


def registered_sections():
    return sorted(_sections.values(), key=lambda section: (section.order, section.key))


def _actions_for(section_key, membership, person):
    actions = sorted(
        (action for action in _actions.values() if action.section == section_key),
        key=lambda action: (action.order, action.key),
    )
    return [
        {"key": action.key, "label": action.label, "url": action.url(person), "primary": action.primary}
        for action in actions
        if action.allowed is None or action.allowed(membership, person)
    ]


def page_actions(membership, person):
    """The actions of the page's header."""
    return _actions_for(None, membership, person)


def sections_for(request, person, membership):
    """The sections this reader sees on ``person``'s carnet, in order, each with its context."""
    shown = []
    for section in registered_sections():
        context = section.context(request, person, membership)
        if context is None:
            continue
        shown.append(
            ShownSection(section=section, context=context, actions=_actions_for(section.key, membership, person))
        )
    return shown
