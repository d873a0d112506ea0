"""Coordinators publish new versions of the diagnostic referential, without a developer."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from dsfr.forms import DsfrBaseForm
from dsfr.utils import dsfr_input_class_attr

from accounts.access import is_coordinator, is_orientation_manager
from entry import proposal
from entry.models import DiagnosticReferential
from entry.referential import ReferentialError
from entry.referential_store import current_referential, edit_situations, publish


class SituationsForm(DsfrBaseForm):
    note = forms.CharField(
        label="Note de version",
        max_length=255,
        help_text="Ce qui change, pour les professionnels. Exemple : ajout de situations de mobilité.",
    )

    def __init__(self, *args, referential, **kwargs):
        super().__init__(*args, **kwargs)
        for theme in referential["barriers"]:
            self.fields[f"theme_{theme['key']}"] = forms.CharField(
                label=f"{theme['label']} : situations",
                help_text="Une situation par ligne. Une ligne inchangée garde son sens dans les diagnostics passés.",
                widget=forms.Textarea(attrs={"rows": max(4, len(theme["situations"]) + 1)}),
                initial="\n".join(situation["label"] for situation in theme["situations"]),
                required=False,
            )
        self.referential = referential
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)

    def situations(self):
        return {
            theme["key"]: self.cleaned_data.get(f"theme_{theme['key']}", "").splitlines()
            for theme in self.referential["barriers"]
        }


def referential_edit(request):
    if not is_coordinator(request.membership):
        raise PermissionDenied
    referential = current_referential()
    form = SituationsForm(request.POST or None, referential=referential)
    if request.method == "POST" and form.is_valid():
        try:
            published = publish(
                edit_situations(referential, form.situations()), request.user, note=form.cleaned_data["note"]
            )
        except ReferentialError as error:
            for message in error.errors:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                f"La version {published.version} du référentiel est publiée. Les diagnostics passés gardent la leur.",
            )
            return redirect("entry:referential_edit")
    versions = DiagnosticReferential.objects.select_related("published_by").order_by("-version")[:20]
    return render(
        request, "entry/referential_edit.html", {"form": form, "referential": referential, "versions": versions}
    )


def proposal_rules(request):
    """The orientation proposal's rules and thresholds, read-only: Relais's own reading of the national decision
    chart, for the coordinators (and the orientation managers who decide from the proposals)."""
    membership = request.membership
    if not (is_coordinator(membership) or is_orientation_manager(membership)):
        raise PermissionDenied
    referential = current_referential()
    labels = {theme["key"]: theme["label"] for theme in referential["barriers"]}
    for question in referential["professional_situation"]:
        if question["key"] == "qualification_level":
            labels.update({choice["key"]: choice["label"] for choice in question.get("choices", [])})

    def shown(value):
        if isinstance(value, tuple | list):
            return ", ".join(labels.get(item, item) for item in value)
        return str(value)

    rules = [
        {
            "number": number,
            "rule": rule,
            "pathway": pathway,
            "thresholds": [(threshold.label, shown(threshold.value)) for threshold in thresholds],
        }
        for number, rule, pathway, thresholds in proposal.rules_table()
    ]
    thresholds = [
        {"threshold": threshold, "value": shown(threshold.value), "used_by": ", ".join(threshold.used_by)}
        for threshold in proposal.THRESHOLDS
    ]
    return render(
        request,
        "entry/proposal_rules.html",
        {
            "rules": rules,
            "thresholds": thresholds,
            "reading_note": proposal.READING_NOTE,
            "recent_months": proposal.RECENT_ACTIVITY_MONTHS,
        },
    )
