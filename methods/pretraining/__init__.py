"""Layer-wise unsupervised pretraining (Golovko, Kroshchanka & Treadwell 2016, Optical Memory and Neural
Networks 25(3):127-141, https://doi.org/10.3103/S1060992X16030073), then supervised fine-tuning.

`rbm.py`: one RBM and its rules (CD-k, persistent CD, REBA; mean-field CD-1 is REBA with unit derivatives).
`layerwise.py`: the shared trainer (architecture, fine-tuning, selection on validation). Plugins: `dbn.py`
(`dbn-cd`, `dbn-pcd`, `dbn-reba`, `dbn-hybrid`), `sae.py` (`sae`), `scratch.py` (`mlp-scratch`, the control).
Tasks and studies: benchmarks/pretraining/ and benchmarks/classic/.
"""
