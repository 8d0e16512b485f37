"""GraphQL for the steering group's aggregate report."""
