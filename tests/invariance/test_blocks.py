import torch

from repbench.methods.invariance.blocks import Blocks

BLOCKS = Blocks(n_in=64, hidden=16, image_shape=(8, 8), conv_channels=4, decoder_channels=(6, 3))


def test_image_encoder_keeps_its_maps_channels_last_and_computes_the_nchw_network():
    """The dense layer reads the maps in (h, w, c) order without a layout copy; with its weight reordered to
    (c, h, w) the plain NCHW computation gives the same code."""
    torch.manual_seed(0)
    encoder = BLOCKS.encoder(5).eval()
    x = torch.rand(3, 64)
    maps = encoder[:4](x)
    assert maps.is_contiguous(memory_format=torch.channels_last)
    dense = encoder[6]
    weight = dense.weight.view(5, 4, 4, 4).permute(0, 3, 1, 2).reshape(5, -1)  # (h, w, c) -> (c, h, w)
    expected = torch.tanh(maps.contiguous().flatten(1) @ weight.T + dense.bias)
    torch.testing.assert_close(encoder(x), expected)


def test_image_decoder_maps_a_code_to_an_image_in_zero_one():
    torch.manual_seed(0)
    decoder = BLOCKS.decoder(5).eval()
    out = decoder(torch.randn(3, 5))
    assert out.shape == (3, 64) and out.min() >= 0 and out.max() <= 1
    maps = decoder[:5](torch.randn(3, 5))
    assert maps.shape == (3, 6, 4, 4) and maps.is_contiguous(memory_format=torch.channels_last)
