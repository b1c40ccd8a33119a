"""Training a run: the trainer (trainer.py), its settings, its bounded history and parameter snapshots, and
two to four runs trained in lockstep (lockstep.py)."""
