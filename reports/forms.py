from django import forms


class DigestForm(forms.Form):
    digest = forms.BooleanField(
        label="Send me the weekly digest",
        required=False,
        help_text="Each Monday: what is overdue, due in the next two weeks, inactive, and what "
        "changed in your groups since the previous digest.",
    )
