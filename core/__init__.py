"""Backprop Lab's maths in plain numpy: the network, its training, checks and metrics. No streamlit here."""
