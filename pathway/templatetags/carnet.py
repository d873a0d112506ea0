from django import template

from pathway import timeline

register = template.Library()


@register.simple_tag(takes_context=True)
def carnet_section(context, shown):
    """Render a registered section of the carnet with its own context on top of the page's."""
    section_template = context.template.engine.get_template(shown.template)
    with context.push(section=shown, actions=shown.actions, **shown.context):
        return section_template.render(context)


@register.filter
def kind_label(kind):
    """The French label of a timeline event's kind."""
    return timeline.kind_label(kind)
