"""Backprop Lab's maths in plain numpy: the network (model/), its training (training/), what is kept of a run
(record/), the loss surface (surface/) and a class's work (classwork/); cli.py trains from the command line.
No streamlit here."""
