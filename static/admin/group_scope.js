'use strict';
// Admin autocompletes that search one working group: a widget with data-group (a fixed group)
// or data-group-from (the id of the form's group field) sends `group` with each search, and
// the model admin (GroupScopedAutocomplete) limits its results to that group.
{
    const $ = django.jQuery;

    $.fn.djangoAdminSelect2 = function() {
        $.each(this, function(i, element) {
            $(element).select2({
                ajax: {
                    data: (params) => {
                        const data = {
                            term: params.term,
                            page: params.page,
                            app_label: element.dataset.appLabel,
                            model_name: element.dataset.modelName,
                            field_name: element.dataset.fieldName
                        };
                        const from = element.dataset.groupFrom && document.getElementById(element.dataset.groupFrom);
                        const group = element.dataset.group || (from && from.value);
                        if (group) {
                            data.group = group;
                        }
                        return data;
                    }
                }
            });
        });
        return this;
    };
}
