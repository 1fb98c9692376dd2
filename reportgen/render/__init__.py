"""Rendering: the Jinja environment, the template context, the HTML and PDF editions."""
