"""The store of runs (SQLite by default, PostgreSQL when BACKPROP_STORE says so), one concept a module.

store.py: RunStore, the one object the app opens; engine.py: connecting, transactions, the schema made or
migrated; schema.py: the tables and their version; run_log.py: runs, their events, snapshot and keyframe
caches; classes.py: classes, members and progress rows; retention.py: pruning; errors.py: what the store
refuses; postgres_server.py: a PostgreSQL server for tests and deploy/serve.py.

Import the module you need (`from runs.store import RunStore`). This file imports nothing: a package
that imports its own modules makes a cycle with them, and two sessions importing one side each at the
same moment (a server's first learners) can meet a half-imported module and an ImportError.
"""
