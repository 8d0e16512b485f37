"""Break-the-glass (nødadgang): a worker's bounded, audited, reviewed emergency access to a family.

policy.py   the pure rules (who may ask, what a grant opens, never health without a health basis)
models.py   the `break_glass_grants` table (an access fact: changes invalidate the read model)
store.py    loading grants (SQL or the read model) for the gate
service.py  asking, reviewing and listing; audit events in the security chain; the coordinator's event
"""
