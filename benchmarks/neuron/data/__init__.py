"""The simulated datasets: manifest + chunk files in the data root, their generation and validation report."""
