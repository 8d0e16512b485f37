"""Trusted documents (persisted queries): the operations the hub runs in production, and nothing else.

- `manifest.py`: the allow-list, built by `hub documents build` from the checked-in `.graphql` operation files
  (`schema/operations/**`, the reference front-end's `hub/static/app/operations/*.graphql`) into
  `schema/trusted-documents.json` (Apollo's persisted-query manifest format), and loaded at start.
- `trust.py`: what a request may run. A client names a document by its SHA-256 (Apollo's
  `extensions.persistedQuery.sha256Hash`, or a plain `documentId`, with or without `sha256:`); in production
  (`HUB_TRUSTED_DOCUMENTS=required`) only manifest documents run: an unknown id is PERSISTED_QUERY_NOT_FOUND, a
  full document that is not on the list OPERATION_NOT_ALLOWED. In development ad-hoc documents run and Apollo's
  automatic persisted queries register (bounded, per process), so GraphiQL and APQ clients work.

Nothing here logs a document or its variables.
"""
