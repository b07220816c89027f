"""Surrogates of a simulated neuron (Beniaguev, Segev & London 2021, Neuron 109(17):2727-2739,
https://doi.org/10.1016/j.neuron.2021.07.002) for the `neuron-io` kind.

`nets.py`: the torch networks (TCN, linear-nonlinear, Branch-ELM). `surrogates.py`: the shared trainer and the
plugins `tcn`, `ln`, `elm`. Tasks, simulator and studies: benchmarks/neuron/.
"""
