"""Write digits.npz (the 8x8 handwritten digits) from scikit-learn's bundled copy. Run once, by a maintainer:

    python lib/backprop/datasets/make_digits.py      # needs scikit-learn (the dev install has it)

The course itself never imports scikit-learn: ``backprop.data.load_digits`` reads the file this writes.
``tests/lib/test_data.py`` checks that the file still equals scikit-learn's arrays.
"""

from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "digits.npz"


def main():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    pixels = X.astype(np.uint8)
    assert np.array_equal(pixels, X) and pixels.max() == 16, "pixels are integers in 0..16"
    np.savez_compressed(OUT, pixels=pixels, labels=y.astype(np.int64))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes): {pixels.shape[0]} images, labels {np.bincount(y)}")


if __name__ == "__main__":
    main()
