"""The family's overview (issue 19): every dated item the departments and the plan know, the clashes between
them, and the municipal people the family deals with. Pure functions over records the caller already loaded
through the gate (hub/family/sections.py); no I/O here."""
