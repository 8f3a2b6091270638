from django import forms


class DigestForm(forms.Form):
    digest = forms.BooleanField(
        label="Send me the weekly digest",
        required=False,
        help_text="Each Monday: what is overdue, due in the next two weeks, inactive, and what "
        "changed in your groups since the previous digest.",
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="The file",
        help_text="A CSV (UTF-8) or Excel (.xlsx) file of at most 5 MB, in the columns of the "
        "list's export. Rows with a reference update that commitment; rows without one add a "
        "new commitment. Add the columns “Follow-up note” (and “Follow-up date”) to record what "
        "happened with a change of status or progress.",
    )
