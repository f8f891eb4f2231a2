"""Prepare CrowdPose (images + COCO-style JSON) in the layout this project reads.

Layout:

    data/crowdpose/annotations/crowdpose_{train,val,trainval,test}.json
    data/crowdpose/images/*.jpg

CrowdPose (Li et al., CVPR 2019, github.com/Jeff-sjtu/CrowdPose) is distributed only through
Google Drive (no direct links, no checksums): the images as one ``images.zip`` and the JSON files
in a folder. Fetch them by hand (or with ``gdown``) into ``data/crowdpose/``; this script then
extracts ``images.zip``, moves the JSON files into ``annotations/`` and prints the layout.
``--images-url`` / ``--annotations-url`` accept direct links (e.g. a mirror of your own).

Examples::

    python data_scripts/download_crowdpose.py --dry-run
    python data_scripts/download_crowdpose.py            # after placing images.zip + JSONs
"""

from __future__ import annotations

import sys
from pathlib import Path

try:
    from data_scripts import _download as dl
except ImportError:  # run as a file: python data_scripts/download_crowdpose.py
    import _download as dl

IMAGES_DRIVE = (
    "Google Drive https://drive.google.com/file/d/1VprytECcLtU4tKP32SYi_7oDRbw7yUTL "
    "(images.zip; 'Dataset' section of github.com/Jeff-sjtu/CrowdPose; "
    "e.g. pip install gdown && gdown 1VprytECcLtU4tKP32SYi_7oDRbw7yUTL)"
)
ANN_DRIVE = (
    "Google Drive https://drive.google.com/open?id=196vsma1uuLLCcUt1NrXp1K8PBU6tVH8w "
    "('Annotations', 'Dataset' section of github.com/Jeff-sjtu/CrowdPose)"
)
SPLITS = ("train", "val", "trainval", "test")
LAYOUT = ("images", *(f"annotations/crowdpose_{s}.json" for s in SPLITS))


def remotes(root: Path, images_url=None, annotations_url=None) -> list[dl.Remote]:
    todo = [dl.Remote(images_url, root / "images.zip", manual=IMAGES_DRIVE, extract_to=root)]
    for s in SPLITS:
        url = f"{annotations_url.rstrip('/')}/crowdpose_{s}.json" if annotations_url else None
        todo.append(dl.Remote(url, root / "annotations" / f"crowdpose_{s}.json", manual=ANN_DRIVE))
    return todo


def adopt_loose_json(root: Path) -> None:
    """Move ``crowdpose_*.json`` placed in ``root`` (or ``root/json``) into ``annotations/``."""
    for folder in (root, root / "json"):
        for f in sorted(folder.glob("crowdpose_*.json")):
            target = root / "annotations" / f.name
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                f.rename(target)
                print(f"  moved {f} -> {target}")


def main(argv: list[str] | None = None) -> int:
    p = dl.base_parser(__doc__.split("\n")[0], "data/crowdpose")
    p.add_argument("--images-url", default=None, help="direct link to images.zip, if you have one")
    p.add_argument("--annotations-url", default=None,
                   help="direct base URL holding crowdpose_{train,...}.json")  # fmt: skip
    args = p.parse_args(argv)
    mirror = args.mirror.rstrip("/") if args.mirror else None  # a mirror holds all five files
    images_url = args.images_url or (f"{mirror}/images.zip" if mirror else None)
    todo = remotes(args.root, images_url, args.annotations_url or mirror)
    if args.dry_run:
        dl.print_plan(todo)
        dl.print_layout(args.root, LAYOUT)
        return 0
    if args.root.is_dir():
        adopt_loose_json(args.root)
    code = dl.fetch_all(todo, args=args)
    dl.print_layout(args.root, LAYOUT)
    return code


if __name__ == "__main__":
    sys.exit(main())
