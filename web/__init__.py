"""The editors' pages and the public claim pages (SPEC section 8). Above the domain apps and
the pipeline; templates are in the project's ``templates/`` folder."""
