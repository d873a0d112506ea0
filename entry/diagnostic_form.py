"""The common diagnostic as a Django form, built from a version of the referential.

Answers are in the referential's shape (see ``entry.referential``); comments by theme are kept beside them.
Sensitive questions and themes (RQTH, health) are stored apart, with the same shape.
"""

from django import forms
from dsfr.forms import DsfrBaseForm
from dsfr.utils import dsfr_input_class_attr
from dsfr.widgets import InlineRadioSelect

from entry.referential import carry_over

LEVEL_DEFAULT = "non_aborde"


def _question_field(question):
    choices = [(choice["key"], choice["label"]) for choice in question.get("choices", [])]
    common = {"label": question["label"], "required": False, "help_text": question.get("help_text", "")}
    if question["type"] == "choice":
        return forms.ChoiceField(choices=[("", "Non renseigné"), *choices], **common)
    if question["type"] == "multiple_choice":
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    return forms.CharField(max_length=500, **common)


class DiagnosticForm(DsfrBaseForm):
    comments = forms.CharField(
        label="Commentaire général",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Visible par l'équipe. N'y notez pas d'information de santé : utilisez le thème « Santé ».",
    )

    def __init__(self, *args, referential, previous=None, previous_referential=None, with_sensitive=True, **kwargs):
        """``with_sensitive=False``: the sensitive questions and themes (health, RQTH) are neither shown nor offered
        blank, so that a professional who may not read them cannot overwrite them either. ``previous_referential``:
        the version the previous diagnostic was answered with, when it is not ``referential`` (its answers are then
        carried over to the questions of ``referential``)."""
        self.referential = referential
        self.with_sensitive = with_sensitive
        initial = self._initial(previous, previous_referential, with_sensitive)
        super().__init__(*args, initial=initial, **kwargs)
        levels = [(level["key"], level["label"]) for level in referential["levels"]]
        self.situation_fields = []
        for question in self._offered(referential["professional_situation"]):
            self.fields[f"q_{question['key']}"] = _question_field(question)
        for theme in self._offered(referential["barriers"]):
            key = theme["key"]
            self.fields[f"level_{key}"] = forms.ChoiceField(
                label=f"{theme['label']} : niveau de frein",
                choices=levels,
                initial=LEVEL_DEFAULT,
                widget=InlineRadioSelect,
            )
            self.fields[f"situations_{key}"] = forms.MultipleChoiceField(
                label=f"{theme['label']} : situations",
                choices=[(situation["key"], situation["label"]) for situation in theme["situations"]],
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
            self.fields[f"comment_{key}"] = forms.CharField(
                label=f"{theme['label']} : commentaire",
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields["comments"] = self.fields.pop("comments")
        # The DSFR classes are set in DsfrBaseForm.__init__, before these fields existed.
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)

    def _initial(self, previous, previous_referential, with_sensitive):
        """A new version starts from the previous answers; sensitive ones only for those who may see them."""
        if previous is None:
            return {}
        initial = {"comments": previous.comments}
        sensitive = previous.sensitive_answers if with_sensitive else {}
        merged = {
            "professional_situation": {
                **previous.answers.get("professional_situation", {}),
                **sensitive.get("professional_situation", {}),
            },
            "barriers": {**previous.answers.get("barriers", {}), **sensitive.get("barriers", {})},
        }
        if previous_referential is not None:
            merged = carry_over(merged, previous_referential, self.referential)
        for key, value in merged["professional_situation"].items():
            initial[f"q_{key}"] = value
        for key, answer in merged["barriers"].items():
            initial[f"level_{key}"] = answer.get("level", LEVEL_DEFAULT)
            initial[f"situations_{key}"] = answer.get("situations", [])
        sensitive_comments = previous.sensitive_theme_comments if with_sensitive else {}
        for key, text in {**previous.theme_comments, **sensitive_comments}.items():
            initial[f"comment_{key}"] = text
        return initial

    def _offered(self, items):
        return [item for item in items if self.with_sensitive or not item.get("sensitive")]

    def themes(self):
        """For the template: each theme with its three bound fields (none for a sensitive theme not offered)."""
        return [
            {
                "theme": theme,
                "level": self[f"level_{theme['key']}"],
                "situations": self[f"situations_{theme['key']}"],
                "comment": self[f"comment_{theme['key']}"],
            }
            if f"level_{theme['key']}" in self.fields
            else {"theme": theme, "kept": True}
            for theme in self.referential["barriers"]
        ]

    def questions(self):
        return [
            (question, self[f"q_{question['key']}"])
            for question in self._offered(self.referential["professional_situation"])
        ]

    def answers(self):
        """The answers in the referential's shape (sensitive ones included when offered; split them before
        storing)."""
        data = self.cleaned_data
        answers = {"professional_situation": {}, "barriers": {}}
        for question in self._offered(self.referential["professional_situation"]):
            value = data.get(f"q_{question['key']}")
            if value not in ("", None, []):
                answers["professional_situation"][question["key"]] = value
        for theme in self._offered(self.referential["barriers"]):
            key = theme["key"]
            answers["barriers"][key] = {
                "level": data.get(f"level_{key}") or LEVEL_DEFAULT,
                "situations": data.get(f"situations_{key}") or [],
            }
        return answers

    def theme_comments(self):
        """(comments, sensitive comments) by theme: a health comment follows the health theme's visibility."""
        comments, sensitive = {}, {}
        for theme in self._offered(self.referential["barriers"]):
            text = (self.cleaned_data.get(f"comment_{theme['key']}") or "").strip()
            if text:
                (sensitive if theme.get("sensitive") else comments)[theme["key"]] = text
        return comments, sensitive
