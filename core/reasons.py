"""What core has to say, without its words: a code and the values it names.

Core returns and raises these instead of sentences, so it imports no translation machinery and a
reason reads in whichever language is read where it is shown: locales/words.py holds each code's
English (the catalogs hold its Greek) and puts a reason into words. A value may itself be a Reason
(a clause of the sentence) or a list of them.
"""


class Reason:
    """A code ("checkpoint.setting_missing") and the values its sentence names (name="'seed'")."""

    __slots__ = ("code", "values")

    def __init__(self, code: str, **values):
        self.code = code
        self.values = values

    def __eq__(self, other):
        return isinstance(other, Reason) and (self.code, self.values) == (other.code, other.values)

    def __hash__(self):
        return hash(self.code)

    def __repr__(self):
        values = ", ".join(f"{name}={value!r}" for name, value in self.values.items())
        return f"{self.code}({values})"


class Refusal(ValueError):
    """A ValueError whose reason is a Reason: what was refused and why, in codes and values (str() is for logs)."""

    def __init__(self, code, **values):
        reason = code if isinstance(code, Reason) else Reason(code, **values)
        super().__init__(reason)
        self.reason = reason

    def __str__(self):
        return repr(self.reason)
