"""Keypoint definitions shared by the datasets, the evaluators and the plots.

Joint order, flip pairs and half-body groups follow the official SimCC / HRNet dataset classes;
OKS sigmas are COCO's (Ronchi & Perona) and CrowdPose's. Indices are 0-based.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Skeleton:
    """Names, drawing edges, flip pairs and OKS sigmas of one keypoint convention."""

    name: str
    keypoints: tuple[str, ...]
    edges: tuple[tuple[int, int], ...]  # 0-based limb list for drawing
    flip_pairs: tuple[tuple[int, int], ...]  # (left, right) swapped by a horizontal flip
    upper_body: tuple[int, ...]  # joints of the half-body transform's upper set
    sigmas: tuple[float, ...] | None = None  # per-joint OKS sigma (already divided by 10)

    @property
    def num_joints(self) -> int:
        return len(self.keypoints)

    def flip_index(self) -> np.ndarray:
        """Permutation ``perm`` such that ``joints[..., perm, :]`` swaps every left/right pair."""
        perm = np.arange(self.num_joints)
        for a, b in self.flip_pairs:
            perm[a], perm[b] = b, a
        return perm

    @property
    def lower_body(self) -> tuple[int, ...]:
        return tuple(i for i in range(self.num_joints) if i not in self.upper_body)


COCO = Skeleton(
    name="coco",
    keypoints=(
        "nose", "left_eye", "right_eye", "left_ear", "right_ear",
        "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
        "left_wrist", "right_wrist", "left_hip", "right_hip",
        "left_knee", "right_knee", "left_ankle", "right_ankle",
    ),  # fmt: skip
    edges=(
        (15, 13), (13, 11), (16, 14), (14, 12), (11, 12), (5, 11), (6, 12), (5, 6), (5, 7),
        (6, 8), (7, 9), (8, 10), (1, 2), (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6),
    ),  # COCO's 1-based "skeleton" field minus one
    flip_pairs=((1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16)),
    upper_body=tuple(range(11)),
    sigmas=tuple(
        s / 10.0
        for s in (.26, .25, .25, .35, .35, .79, .79, .72, .72, .62, .62,
                  1.07, 1.07, .87, .87, .89, .89)
    ),  # fmt: skip
)

MPII = Skeleton(
    name="mpii",
    keypoints=(
        "r_ankle", "r_knee", "r_hip", "l_hip", "l_knee", "l_ankle", "pelvis", "thorax",
        "upper_neck", "head_top", "r_wrist", "r_elbow", "r_shoulder", "l_shoulder",
        "l_elbow", "l_wrist",
    ),  # fmt: skip
    edges=(
        (0, 1), (1, 2), (2, 6), (3, 6), (3, 4), (4, 5), (6, 7), (7, 8), (8, 9),
        (10, 11), (11, 12), (12, 7), (13, 7), (13, 14), (14, 15),
    ),
    flip_pairs=((0, 5), (1, 4), (2, 3), (10, 15), (11, 14), (12, 13)),
    upper_body=(7, 8, 9, 10, 11, 12, 13, 14, 15),
)

CROWDPOSE = Skeleton(
    name="crowdpose",
    keypoints=(
        "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist",
        "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle",
        "right_ankle", "head", "neck",
    ),  # fmt: skip
    edges=(
        (12, 13), (13, 0), (13, 1), (0, 2), (2, 4), (1, 3), (3, 5), (0, 6), (1, 7), (6, 7),
        (6, 8), (8, 10), (7, 9), (9, 11),
    ),
    flip_pairs=((0, 1), (2, 3), (4, 5), (6, 7), (8, 9), (10, 11)),
    upper_body=(0, 1, 2, 3, 4, 5, 12, 13),
    sigmas=tuple(
        s / 10.0 for s in (.79, .79, .72, .72, .62, .62, 1.07, 1.07, .87, .87, .89, .89, .79, .79)
    ),
)

SKELETONS = {s.name: s for s in (COCO, MPII, CROWDPOSE)}


def get_skeleton(name: str) -> Skeleton:
    """Look up a skeleton by name (``coco``, ``mpii``, ``crowdpose``)."""
    try:
        return SKELETONS[name]
    except KeyError:
        raise ValueError(f"unknown skeleton {name!r}; choose one of {sorted(SKELETONS)}") from None
