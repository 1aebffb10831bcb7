"""Bilingual briefing documents from a sourced fact file and Jinja templates."""

__version__ = "0.1.0"
