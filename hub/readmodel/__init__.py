"""The in-process read model of the facts a view rests on, kept coherent across hub processes.

    model.py    the bounded maps, `sync()` (the per-request epoch guard) and the on-demand loaders
    changes.py  `facts_changed(session, kind, ids)` and the ORM hooks: the epoch moves in each changing
                transaction; after commit the change is applied here and published on the `facts` channel
    models.py   the `facts_epoch` table

Importing this package registers the change hooks on every SQLAlchemy session.
"""

from hub.readmodel.changes import FactKind, facts_changed

__all__ = ["FactKind", "facts_changed"]
