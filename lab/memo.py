"""A small memory of expensive results, by what each depends on (the session's figures, a comparison's planes)."""

from collections import OrderedDict


class Memo:
    """The last few expensive results, by what each depends on; the least recently used goes first."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.results = OrderedDict()

    def get(self, key, compute):
        """The result remembered under `key`, or compute() remembered now."""
        if key in self.results:
            self.results.move_to_end(key)
        else:
            self.results[key] = compute()
            if len(self.results) > self.capacity:
                self.results.popitem(last=False)
        return self.results[key]

    def clear(self) -> None:
        self.results.clear()
