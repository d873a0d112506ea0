from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from pathway.models import SharingFact
from relais.forms import DateInput

KIND_LABELS = {
    SharingFact.Kind.INFORMED: "La personne a été informée du partage de son carnet et de son droit de s'y opposer",
    SharingFact.Kind.OBJECTED: "La personne s'oppose au partage de son carnet",
    SharingFact.Kind.WITHDRAWN: "La personne retire son opposition",
}


class SharingFactForm(DsfrBaseForm):
    kind = forms.ChoiceField(label="Ce qui est à enregistrer", widget=forms.RadioSelect)
    on = forms.DateField(
        label="Date",
        initial=timezone.localdate,
        widget=DateInput(),
        help_text="Le jour où la personne a été informée, s'est opposée ou a retiré son opposition. "
        "Format attendu : jj/mm/aaaa.",
    )
    channel = forms.ChoiceField(label="De quelle manière", choices=[("", "Choisir…"), *SharingFact.Channel.choices])
    comment = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple ce que la personne a dit de ses raisons, si elle souhaite qu'elles soient notées.",
    )

    def __init__(self, *args, objecting=False, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [SharingFact.Kind.INFORMED]
        kinds.append(SharingFact.Kind.WITHDRAWN if objecting else SharingFact.Kind.OBJECTED)
        self.fields["kind"].choices = [(kind.value, KIND_LABELS[kind]) for kind in kinds]

    def clean_on(self):
        value = self.cleaned_data.get("on")
        if value is not None and value > timezone.localdate():
            raise ValidationError("La date ne peut pas être dans le futur.")
        return value
