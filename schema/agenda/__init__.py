"""The family's overview in GraphQL: Family.agenda, FamilyMember.agenda, Family.conflicts, Family.contacts and
acknowledgeConflict (issue 19). Computed only when selected."""
