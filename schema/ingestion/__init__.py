"""GraphQL for ingestion: the push mutation, the familyUpdated subscription and the family timeline."""
