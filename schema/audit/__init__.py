"""The audit log in the GraphQL API: the read-log flush extension and the citizen's own access log."""
