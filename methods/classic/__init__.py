"""Classic classifiers for the `classification` kind (tasks in benchmarks/classic/ and benchmarks/pretraining/):
`logreg` (scikit-learn's multinomial logistic regression, logreg.py) and `mlp` (a ReLU MLP, mlp.py)."""
