"""Classic digit classification: the `classification` kind's tasks, shared by every classifier.

Tasks (`tasks.py`): `digits` (scikit-learn's bundled 8x8 digits; the quick profile) and `mnist` (LeCun et al.
1998: 50k train / 10k validation / 10k test). `data.py` reads and verifies the MNIST IDX files (also used
by the pretraining and invariance families). Methods: `methods/classic/` (`logreg`, `mlp`); the pretraining
family's methods solve these tasks too.
"""
