"""Backprop Lab: the entry point. Every screen, the page set-up and the sidebar come from ui/shell.py.

Whatever runs before `run()` runs for every screen of every rerun, so the shell is kept to what
each screen needs: the shared dataset, this session's trainer and the sidebar.
"""

from ui import shell

shell.start().run()
