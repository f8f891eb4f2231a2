"""Write an MPII-format fixture (stick figures, HRNet's JSON layout and ``gt_valid.mat``) for runs
without MPII: a training split and a validation split with its PCKh ground truth.

Example (the recorded run of notebook 09)::

    python data_scripts/make_mpii_fixture.py runs/data/mpii_fixture --train 600 --val 100
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from simdr_lite.data.fixtures import write_mpii_fixture, write_mpii_gt_valid


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("root", type=Path, help="output folder: ROOT/train/{annot,images}, ROOT/valid/...")
    p.add_argument("--train", type=int, default=600, help="training images (one person each)")
    p.add_argument("--val", type=int, default=100, help="validation images")
    p.add_argument("--seed", type=int, default=0, help="training seed; validation uses seed + 1")
    args = p.parse_args(argv)
    if args.train < 1 or args.val < 1:
        p.error("--train and --val must be >= 1")
    write_mpii_fixture(args.root / "train", num_images=args.train, seed=args.seed, split="train")
    val_ann, _ = write_mpii_fixture(args.root / "valid", num_images=args.val, seed=args.seed + 1,
                                    split="valid")
    print(f"wrote {args.train} training and {args.val} validation images under {args.root}; "
          f"PCKh ground truth {write_mpii_gt_valid(val_ann)}")


if __name__ == "__main__":
    main()
