"""Text analysis behind candidates and matching (SPEC section 6): plain functions, no database.

The services in ``claims.candidates`` store what these modules find.
"""
