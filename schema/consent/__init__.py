"""GraphQL for the consent registry: types, the `familyConsents` query and the consent mutations."""
