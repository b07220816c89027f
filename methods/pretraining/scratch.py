"""`mlp-scratch`: the pretraining family's control, the same net and fine-tuning without pretraining."""

from __future__ import annotations

from repbench import register_method
from repbench.methods.pretraining.layerwise import PROFILES, SCRATCH_PARAMS, LayerwiseClassifier


@register_method("mlp-scratch")
class MlpScratch(LayerwiseClassifier):
    """The same sigmoid architecture and fine-tuning from random (Glorot) initialisation: the control."""

    citation = "Glorot & Bengio (2010), Understanding the difficulty of training deep feedforward neural networks"
    pretrains = False
    params = SCRATCH_PARAMS
    profiles = {name: {k: v for k, v in over.items() if k in SCRATCH_PARAMS} for name, over in PROFILES.items()}
