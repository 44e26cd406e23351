"""grey_pixels is np.asarray(img.convert("L")) made cheaper: held to it here."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from extractors.grey_pixels import grey_pixels


@pytest.mark.parametrize("mode", ["L", "RGB", "1", "LA"])
def test_grey_pixels_are_numpys_view_of_the_grey_image(mode):
    rng = np.random.default_rng(7)
    img = Image.fromarray(rng.integers(0, 256, (37, 53, 3), dtype=np.uint8)).convert(mode)
    plain = np.asarray(img if img.mode == "L" else img.convert("L"))
    got = grey_pixels(img)
    assert got.dtype == np.uint8 and got.shape == (37, 53) and np.array_equal(got, plain)
