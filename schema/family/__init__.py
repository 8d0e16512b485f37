"""The family view: Family, FamilyMember and the five department sections."""
