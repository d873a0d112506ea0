from django import forms
from dsfr.forms import DsfrBaseForm

from pathway.models import TeamMember
from pathway.note_forms import NoteForm


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, member):
        return f"{member.user} – {member.structure.name} ({member.get_role_display()})"


class AssignForm(DsfrBaseForm):
    member = MemberChoiceField(label="Confier l'alerte à", queryset=TeamMember.objects.none(), empty_label="Choisir…")

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = (
            TeamMember.objects.filter(pathway__person=person, ended_at__isnull=True)
            .select_related("user", "structure")
            .order_by("user__last_name", "user__first_name", "pk")
        )


class CloseForm(NoteForm):
    """Closing an alert writes a note on the carnet: what was done (a contact, when the person was reached)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.relabel(text="Note de clôture : ce qui a été fait", kind="Nature de la note de clôture")
