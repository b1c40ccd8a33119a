"""Backprop Lab's maths in plain numpy: the network (model/), its training (training/), what is kept of a run
(record/), the loss surface (surface/) and a class's work (classwork/); the command line is cli.py, beside app.py.
No streamlit here."""
