"""A read-only panel in the answer's editor: how many readers found it helpful."""

from wagtail.admin.panels import HelpPanel


class FeedbackPanel(HelpPanel):
    def __init__(self, **kwargs):
        kwargs.setdefault("template", "kb/panels/feedback.html")
        super().__init__(**kwargs)

    class BoundPanel(HelpPanel.BoundPanel):
        def get_context_data(self, parent_context=None):
            from .selectors import feedback_counts

            context = super().get_context_data(parent_context)
            if self.instance is not None and self.instance.pk:
                context["counts"] = feedback_counts(answer=self.instance)
            return context
