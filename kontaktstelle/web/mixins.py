class FilteredListMixin:
    """A list narrowed by a form of GET parameters (``filter_form_class``, whose
    ``filter(queryset)`` applies what was chosen); the page links keep the filters."""

    filter_form_class = None

    def get_filter_form_kwargs(self):
        return {}

    def filtered(self, queryset):
        self.filter_form = self.filter_form_class(
            self.request.GET or None, **self.get_filter_form_kwargs()
        )
        return self.filter_form.filter(queryset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(filter_form=self.filter_form, query_string=query.urlencode())
        return context
