from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from dsfr.forms import DsfrBaseForm
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret as siret_number

from accounts.models import OrientationPublic, Role, Structure, User
from relais.phone import PhoneInput, normalise_phone
from territory.forms import CommuneField
from territory.models import Commune, Epci


class DsfrModelForm(DsfrBaseForm, forms.ModelForm):
    pass


class LoginForm(DsfrBaseForm):
    email = forms.EmailField(
        label="Adresse électronique",
        help_text="Format attendu : nom@domaine.fr",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mot de passe", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def mark_invalid(self):
        """Wrong address or password: both fields are announced as invalid (which one is wrong is not said)."""
        for field in self.fields.values():
            field.widget.attrs.update({"aria-invalid": "true", "aria-describedby": "erreurs-du-formulaire"})

    def clean_email(self):
        # Accounts are stored in lowercase: "Prenom.Nom@Domaine.fr" is the same person.
        return self.cleaned_data["email"].lower()


class OtpForm(DsfrBaseForm):
    token = forms.CharField(
        label="Code à 6 chiffres",
        help_text="Le code affiché par votre application d'authentification.",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip().replace(" ", "")
        if not token.isdigit():
            raise ValidationError("Le code ne contient que des chiffres.")
        return token


def clean_siret(value):
    if not value:
        return ""
    try:
        return siret_number.validate(value)
    except StdnumError:
        raise ValidationError(
            "Ce numéro SIRET n'est pas valide : il faut 14 chiffres dont le dernier est une clé de contrôle."
        ) from None


class StructureForm(DsfrModelForm):
    # Longer than 14: a SIRET is often typed with spaces ("732 829 320 00074"), removed when cleaned.
    siret = forms.CharField(
        label="SIRET",
        max_length=20,
        required=False,
        help_text="14 chiffres. Plusieurs antennes peuvent partager un SIREN.",
    )
    commune = CommuneField(label="Commune", required=True)
    covers_departement = forms.BooleanField(
        label="Intervient sur tout le département",
        required=False,
        help_text="Sinon, choisissez ci-dessous les EPCI et les communes où la structure intervient.",
    )
    zone_communes = forms.ModelMultipleChoiceField(
        label="Communes d'intervention",
        queryset=Commune.objects.none(),
        required=False,
        help_text=(
            "Sans EPCI, sans commune et sans « tout le département », la structure n'a pas de zone "
            "d'intervention : ses chargés d'orientation n'orientent personne."
        ),
    )
    zone_epcis = forms.ModelMultipleChoiceField(
        label="EPCI d'intervention", queryset=Epci.objects.none(), required=False
    )

    class Meta:
        model = Structure
        fields = [
            "name",
            "kind",
            "siret",
            "address",
            "commune",
            "covers_departement",
            "zone_epcis",
            "zone_communes",
            "email",
            "phone",
        ]
        widgets = {"phone": PhoneInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        departement = settings.RELAIS_DEPARTEMENT
        self.fields["zone_communes"].queryset = Commune.objects.filter(departement_id=departement)
        self.fields["zone_epcis"].queryset = Epci.objects.filter(communes__departement_id=departement).distinct()
        if self.instance.commune_id:
            self.initial["commune"] = self.instance.commune.code

    def clean_siret(self):
        return clean_siret(self.cleaned_data.get("siret"))

    def clean_phone(self):
        return normalise_phone(self.cleaned_data.get("phone"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("covers_departement") and (cleaned.get("zone_communes") or cleaned.get("zone_epcis")):
            self.add_error(
                "covers_departement",
                "Cochez « tout le département » ou choisissez des EPCI et des communes, pas les deux.",
            )
        return cleaned


class StructureChangeDecisionForm(DsfrBaseForm):
    note = forms.CharField(
        label="Motif (facultatif)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Communiqué aux administrateurs de la structure, surtout en cas de refus.",
    )


class JoinRefusalForm(DsfrBaseForm):
    reason = forms.CharField(
        label="Motif du refus",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Envoyé par courriel à la personne qui a demandé l'inscription. La structure en attente est "
        "retirée : son SIRET peut servir à une nouvelle demande.",
    )


class InvitationForm(DsfrBaseForm):
    email = forms.EmailField(
        label="Adresse électronique du nouveau membre", help_text="Format attendu : nom@domaine.fr"
    )
    role = forms.ChoiceField(label="Rôle", choices=Role.choices, initial=Role.PROFESSIONAL)

    def __init__(self, *args, structure, **kwargs):
        self.structure = structure
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if self.structure.memberships.filter(user__email=email, is_active=True).exists():
            raise ValidationError("Cette personne est déjà membre de la structure.")
        return email


class MembershipForm(DsfrBaseForm):
    role = forms.ChoiceField(label="Rôle", choices=Role.choices)
    job_title = forms.CharField(label="Fonction", max_length=150, required=False)
    is_orientation_manager = forms.BooleanField(
        label="Chargé d'orientation",
        required=False,
        help_text="Décide les orientations sur la zone d'intervention de la structure.",
    )
    orientation_publics = forms.MultipleChoiceField(
        label="Publics orientés",
        choices=OrientationPublic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Pour un chargé d'orientation délégué pour certains publics. Aucun coché : tous les publics.",
    )
    is_coordinator = forms.BooleanField(
        label="Coordinateur du SPIE", required=False, help_text="Pilotage, référentiels, validation des structures."
    )

    def __init__(self, *args, can_grant, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_grant:
            del self.fields["is_orientation_manager"]
            del self.fields["orientation_publics"]
            del self.fields["is_coordinator"]


class AccountForm(DsfrModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "phone", "notification_frequency"]
        widgets = {"phone": PhoneInput()}

    def clean_phone(self):
        return normalise_phone(self.cleaned_data.get("phone"))


class SetPasswordForm(DsfrBaseForm):
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Au moins 12 caractères, ni trop courant ni uniquement des chiffres.",
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        elif password1:
            candidate = User(
                email=self.email, first_name=cleaned.get("first_name", ""), last_name=cleaned.get("last_name", "")
            )
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class DsfrPasswordResetForm(DsfrBaseForm, auth_forms.PasswordResetForm):
    pass


class DsfrSetNewPasswordForm(DsfrBaseForm, auth_forms.SetPasswordForm):
    pass


class DsfrPasswordChangeForm(DsfrBaseForm, auth_forms.PasswordChangeForm):
    pass


class JoinRequestForm(StructureForm):
    """A partner not yet on Relais asks to join: its structure (with its SIRET) and who asks."""

    first_name = forms.CharField(label="Votre prénom", max_length=150)
    last_name = forms.CharField(label="Votre nom", max_length=150)
    requester_email = forms.EmailField(
        label="Votre adresse électronique professionnelle",
        help_text="L'invitation à créer votre compte d'administrateur y sera envoyée une fois la structure validée.",
    )
    job_title = forms.CharField(label="Votre fonction (facultatif)", max_length=150, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["siret"].required = True
        self.fields["siret"].help_text = "14 chiffres, avec ou sans espaces : la coordination le vérifie."
        self.fields["email"].required = True
