"""Training a run: the trainer (trainer.py), its settings, its bounded history and trajectory points, and
two to four runs trained in lockstep (lockstep.py)."""
