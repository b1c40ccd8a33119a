"""The network and what is computed from it: the forward and backward passes and the one sgd_step (network.py),
the gradient check, test metrics, the document's errata as numbers, and a drawing turned into the network's input."""
