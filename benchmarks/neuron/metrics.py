"""The evaluation of Beniaguev et al. (2021, Neuron 109(17), and the authors' public code): spike ROC AUC over
1 ms bins after a burn-in, true-positive rates at low false-positive rates, and soma errors raw and after
rescaling to the truth's mean and SD. Plus the test set's own uncertainty: the AUC's spread when the test
trials are resampled (bins within a trial are not independent, so trials are the unit)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import explained_variance_score, roc_auc_score, roc_curve


def after_burn_in(x: np.ndarray, burn_in_ms: int) -> np.ndarray:
    """[n_trials, n_bins] -> the bins from `burn_in_ms` on, flattened."""
    return np.asarray(x)[:, burn_in_ms:].ravel()


def tpr_at_fpr(target: np.ndarray, score: np.ndarray, fpr: float) -> float:
    """True-positive rate at the largest threshold whose false-positive rate does not exceed `fpr`."""
    fprs, tprs, _ = roc_curve(target, score, drop_intermediate=False)
    return float(tprs[np.searchsorted(fprs, fpr, side="right") - 1])


def spike_metrics(prob: np.ndarray, target: np.ndarray, burn_in_ms: int) -> dict[str, float]:
    p, y = after_burn_in(prob, burn_in_ms), after_burn_in(target, burn_in_ms)
    if y.min() == y.max():
        raise ValueError("the test bins after the burn-in hold no output spike (or only spikes): AUC undefined")
    return {
        "spike_auc": float(roc_auc_score(y, p)),
        "tpr_at_fpr_0.25%": tpr_at_fpr(y, p, 0.0025),
        "tpr_at_fpr_0.1%": tpr_at_fpr(y, p, 0.001),
    }


def soma_metrics(pred: np.ndarray, target: np.ndarray, burn_in_ms: int) -> dict[str, float]:
    p, y = after_burn_in(pred, burn_in_ms).astype(np.float64), after_burn_in(target, burn_in_ms).astype(np.float64)
    rescaled = (p - p.mean()) / (p.std() or 1.0) * y.std() + y.mean()  # the original's scoring step
    return {
        "soma_rmse_mv": float(np.sqrt(np.mean((p - y) ** 2))),
        "soma_rmse_rescaled_mv": float(np.sqrt(np.mean((rescaled - y) ** 2))),
        "soma_explained_variance": float(explained_variance_score(y, p)),
    }


def bootstrap_auc(prob: np.ndarray, target: np.ndarray, burn_in_ms: int, rng: np.random.Generator,
                  n_boot: int = 200) -> dict[str, float]:
    """Spike AUC's standard error and 95 % percentile interval over test trials resampled with replacement
    (resamples without a spike are skipped), and the number of test output spikes it rests on."""
    p, y = np.asarray(prob)[:, burn_in_ms:], np.asarray(target)[:, burn_in_ms:]
    aucs = []
    for _ in range(n_boot):
        pick = rng.integers(len(y), size=len(y))
        yy = y[pick].ravel()
        if 0 < yy.sum() < yy.size:
            aucs.append(roc_auc_score(yy, p[pick].ravel()))
    low, high = np.percentile(aucs, [2.5, 97.5]) if aucs else (np.nan, np.nan)
    return {"spike_auc_boot_se": float(np.std(aucs, ddof=1)) if len(aucs) > 1 else np.nan,
            "spike_auc_boot_low": float(low), "spike_auc_boot_high": float(high),
            "test_output_spikes": float(y.sum())}
