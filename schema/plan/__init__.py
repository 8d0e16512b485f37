"""The family action plan in GraphQL: types, loaders, queries and mutations."""
