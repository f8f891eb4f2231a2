import numpy as np
import pytest

from simdr_lite.skeletons import COCO, CROWDPOSE, MPII, get_skeleton


@pytest.mark.parametrize("sk", [COCO, MPII, CROWDPOSE])
def test_flip_index_is_an_involution_that_swaps_pairs(sk):
    perm = sk.flip_index()
    np.testing.assert_array_equal(perm[perm], np.arange(sk.num_joints))
    for a, b in sk.flip_pairs:
        assert perm[a] == b and perm[b] == a
    assert set(sk.upper_body) | set(sk.lower_body) == set(range(sk.num_joints))


def test_sigmas_and_lookup():
    assert len(COCO.sigmas) == 17 and COCO.sigmas[0] == pytest.approx(0.026)
    assert len(CROWDPOSE.sigmas) == 14
    assert get_skeleton("mpii") is MPII
    with pytest.raises(ValueError, match="unknown skeleton 'foo'"):
        get_skeleton("foo")
