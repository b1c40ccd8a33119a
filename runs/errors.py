"""What the store refuses or cannot do: each error's message is one sentence a screen can show."""


class StoreError(Exception):
    """Anything the store refuses or cannot do; the message is one sentence a screen can show."""


class UnknownRun(StoreError, LookupError):
    """No run has this id."""


class MalformedRunId(UnknownRun):
    """A run id that cannot be one (wrong length or characters); no query was made."""


class StaleAppend(StoreError):
    """The append's position is not the end of the log: another writer extended it first."""

    def __init__(self, run_id, position, length):
        super().__init__(f"run {run_id} has {length} events, so an append at position {position} was refused; "
                         "catch up with the events since then first")
        self.position, self.length = position, length


class CorruptRecord(StoreError, ValueError):
    """A stored record that fails validation (edited, truncated, or from a newer version): refused, never used."""


class SchemaTooNew(StoreError):
    """The database was written by a newer version of Backprop Lab."""


class StoreUnavailable(StoreError):
    """The database cannot be reached or written (down, full, locked too long)."""


class UnknownClass(StoreError, LookupError):
    """No class has this id."""


class MalformedClassId(UnknownClass):
    """A class id that cannot be one; no query was made."""


class WrongTeacherKey(StoreError):
    """The teacher's secret given is not the class's."""


class ClassEnded(StoreError):
    """The class is past its end date: read-only."""


class CreationRefused(StoreError):
    """Too many classes made by one client in the last hour, or the store holds as many open classes as it takes."""


class JoinRefused(StoreError):
    """A join the class cannot take now (too many at once, or the class is full)."""
