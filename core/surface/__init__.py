"""The loss surface: the loss on a plane through the parameters and along the line from θ0 (loss_surface.py),
one plane shared by several runs (shared_plane.py), and the screen's settings in the URL (settings.py)."""
