"""The console's web plumbing: templates and catalogues, sessions and CSRF, forms, routes."""
