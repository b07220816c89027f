"""Layer-wise unsupervised pretraining: Golovko, Kroshchanka & Treadwell (2016), "The nature of unsupervised
learning in deep neural networks: a new understanding and novel approach", Optical Memory and Neural
Networks 25(3):127-141, https://doi.org/10.3103/S1060992X16030073.

Tasks: `mnist-1k` here (`tasks.py`: pretraining on 50k images, fine-tuning on 1,000 labels), and the classic
family's `digits` and `mnist`. Methods: `methods/pretraining/` (`dbn-cd`, `dbn-pcd`, `dbn-reba`, `dbn-hybrid`,
`sae`, `mlp-scratch`). Study: `repbench study codes` (`studies/codes.py`: 2-D codes of CD- and REBA-pretrained
autoencoder stacks).
"""
