"""Early signals (tidlige signaler): pure rules (rules.py), the gated service (service.py), acknowledgements."""
