"""What is kept of a run: its log of events and their replay (events.py), any past step recomputed exactly
(timeline.py), and checkpoint files written and read safely (checkpoints.py, npz_reading.py)."""
