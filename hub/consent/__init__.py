"""The citizen's consent: the registry, the recording rules and the pure policy asked before any fetch.

Modules: vocabulary (enums), models (tables), rules (recording), policy (decisions), facts/guard (loading per
request for the gate), service/permissions/listing (use cases), hooks (withdrawal listeners), seed (demo).
"""
