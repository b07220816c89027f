"""The NEURON model of the cell (morphology, mechanisms, synapses), its input statistics, one trial's run, and
the integrate-and-fire control. Imported only when data is simulated, never by `repbench list`."""
