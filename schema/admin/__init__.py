"""The administrator's GraphQL: users, team assignments and caseloads (hub/auth/staffing.py, hub/auth/users.py)."""
