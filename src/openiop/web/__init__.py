"""The web layer: transaction edge, request context, templates, forms and static assets."""
