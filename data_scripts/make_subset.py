"""Cut a COCO-format subset (by image count or id list) for quick runs and Colab.

Writes a new annotation file holding the chosen images, their annotations (ids unchanged) and the
original ``categories`` / ``info`` / ``licenses``; optionally copies or symlinks the images. The
choice is deterministic: ``--num-images N`` draws N image ids with
``numpy.random.default_rng(seed)`` from the sorted ids (``--first`` takes the N smallest ids
instead); the output lists images in increasing id order.

Examples::

    python data_scripts/make_subset.py data/coco/annotations/person_keypoints_val2017.json \\
        data/coco_mini/annotations/person_keypoints_val2017.json --num-images 500 \\
        --with-keypoints --image-dir data/coco/images/val2017 \\
        --out-image-dir data/coco_mini/images/val2017 --link symlink
    python data_scripts/make_subset.py IN.json OUT.json --ids 139 285 632
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

try:
    from data_scripts import _download as dl
except ImportError:  # run as a file: python data_scripts/make_subset.py
    import _download as dl


def make_subset(
    ann_file: str | Path,
    out_file: str | Path,
    *,
    num_images: int | None = None,
    image_ids: Sequence[int] | None = None,
    seed: int = 0,
    first: bool = False,
    with_keypoints: bool = False,
    image_dir: str | Path | None = None,
    out_image_dir: str | Path | None = None,
    link: str = "none",
) -> dict:
    """Write the subset and return ``{"images": n, "annotations": m, "ann_file": path}``.

    Exactly one of ``num_images`` / ``image_ids``. ``with_keypoints`` first restricts the pool to
    images with at least one annotation with ``num_keypoints > 0`` (what pose training uses).
    ``link`` is ``"none"``, ``"symlink"`` or ``"copy"`` (needs ``image_dir`` and
    ``out_image_dir``).
    """
    ann_file, out_file = Path(ann_file), Path(out_file)
    if (num_images is None) == (image_ids is None):
        raise ValueError("give exactly one of num_images or image_ids")
    if link not in ("none", "symlink", "copy"):
        raise ValueError(f"link must be 'none', 'symlink' or 'copy', got {link!r}")
    if link != "none" and (image_dir is None or out_image_dir is None):
        raise ValueError(f"link={link!r} needs image_dir and out_image_dir")
    if not ann_file.is_file():
        raise FileNotFoundError(f"{ann_file} not found (download the data set first)")
    if out_file.resolve() == ann_file.resolve():
        raise ValueError("out_file must differ from ann_file")
    coco = json.loads(ann_file.read_text())
    images = {im["id"]: im for im in coco["images"]}
    anns = coco.get("annotations", [])
    pool = sorted(images)
    if with_keypoints:
        keep = {a["image_id"] for a in anns if a.get("num_keypoints", 0) > 0}
        pool = [i for i in pool if i in keep]

    if image_ids is not None:
        chosen = sorted({int(i) for i in image_ids})
        unknown = [i for i in chosen if i not in images]
        if unknown:
            raise ValueError(f"image ids not in {ann_file.name}: {unknown[:10]}")
    else:
        if isinstance(num_images, bool) or not isinstance(num_images, int) or num_images < 1:
            raise ValueError(f"num_images must be an int >= 1, got {num_images!r}")
        if num_images > len(pool):
            raise ValueError(f"num_images={num_images} but only {len(pool)} images qualify")
        if first:
            chosen = pool[:num_images]
        else:
            pick = np.random.default_rng(seed).choice(len(pool), num_images, replace=False)
            chosen = sorted(pool[i] for i in pick)

    chosen_set = set(chosen)
    out = {k: v for k, v in coco.items() if k not in ("images", "annotations")}
    out["images"] = [images[i] for i in chosen]
    out["annotations"] = [a for a in anns if a["image_id"] in chosen_set]
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(out, separators=(",", ":")))

    if link != "none":
        src_dir, dst_dir = Path(image_dir), Path(out_image_dir)
        missing = [im["file_name"] for im in out["images"]
                   if not (src_dir / im["file_name"]).is_file()]  # fmt: skip
        if missing:
            raise FileNotFoundError(
                f"{len(missing)} images missing in {src_dir}, e.g. {missing[0]}"
            )
        for im in out["images"]:
            dl.copy_or_link(src_dir / im["file_name"], dst_dir / im["file_name"], link)
    return {"images": len(out["images"]), "annotations": len(out["annotations"]),
            "ann_file": out_file}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("ann_file", type=Path, help="COCO-format annotation JSON to cut from")
    p.add_argument("out_file", type=Path, help="annotation JSON to write")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--num-images", type=int, help="how many images to keep")
    g.add_argument("--ids", type=int, nargs="+", help="image ids to keep")
    g.add_argument("--ids-file", type=Path, help="text file with one image id per line")
    p.add_argument("--seed", type=int, default=0, help="seed of the random choice (default 0)")
    p.add_argument("--first", action="store_true", help="take the smallest ids, not random ones")
    p.add_argument("--with-keypoints", action="store_true",
                   help="only images with at least one annotated keypoint")  # fmt: skip
    p.add_argument("--image-dir", type=Path, help="folder of the source images")
    p.add_argument("--out-image-dir", type=Path, help="folder to copy/symlink the images into")
    p.add_argument("--link", choices=("none", "symlink", "copy"), default="none")
    p.add_argument("--dry-run", action="store_true", help="print what would be done")
    args = p.parse_args(argv)
    ids = args.ids
    if args.ids_file is not None:
        ids = [int(x) for x in args.ids_file.read_text().split()]
    if args.dry_run:
        what = f"{args.num_images} images (seed {args.seed})" if ids is None else f"{len(ids)} ids"
        print(f"would write {what} of {args.ann_file} -> {args.out_file}"
              + (f"; {args.link} images into {args.out_image_dir}" if args.link != "none" else ""))
        return 0
    try:
        res = make_subset(args.ann_file, args.out_file, num_images=args.num_images, image_ids=ids,
                          seed=args.seed, first=args.first, with_keypoints=args.with_keypoints,
                          image_dir=args.image_dir, out_image_dir=args.out_image_dir,
                          link=args.link)  # fmt: skip
    except (ValueError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {res['images']} images, {res['annotations']} annotations -> {res['ann_file']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
