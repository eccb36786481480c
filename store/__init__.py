"""The store: models, engine, schema, catalogue sync, audited writes, snapshots and reads (see db.py)."""
