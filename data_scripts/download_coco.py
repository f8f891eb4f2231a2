"""Download COCO 2017 person keypoints (images, annotations) and the paper's person detections.

Layout written (the one the official SimCC / HRNet code reads, see official_spec.md Sec. 5):

    data/coco/annotations/person_keypoints_{train,val}2017.json
    data/coco/images/{train2017,val2017}/%012d.jpg
    data/coco/person_detection_results/COCO_val2017_detections_AP_H_56_person.json

COCO publishes no checksums for its archives (cocodataset.org/#download lists none); the zip
members' CRC-32 is checked while extracting. The detection results (person AP 56.4 on val2017,
the boxes the paper's Tables 1-3 use) are only on the HRNet / SimpleBaseline OneDrive and Google
Drive folders, which have no direct links: the script says where to get them and where to put
them, unless ``--detections-url`` gives a direct link.

Examples::

    python data_scripts/download_coco.py --dry-run
    python data_scripts/download_coco.py --only annotations val2017 detections
"""

from __future__ import annotations

import sys
from pathlib import Path

try:
    from data_scripts import _download as dl
except ImportError:  # run as a file: python data_scripts/download_coco.py
    import _download as dl

COCO_HOST = "http://images.cocodataset.org"  # sizes below: approximate, for the plan only
DETECTIONS = "COCO_val2017_detections_AP_H_56_person.json"
DETECTIONS_TESTDEV = "COCO_test-dev2017_detections_AP_H_609_person.json"
HRNET_DRIVE = (
    "the 'person_detection_results' folder of HRNet's data release: "
    "OneDrive https://1drv.ms/f/s!AhIXJn_J-blWzzDXoz5BeFl8sWM- or Google Drive "
    "https://drive.google.com/drive/folders/1fRUDNUDxe9fjqcRZ2bnF_TKMlO0nB_dk "
    "(linked from github.com/leoxiaobin/deep-high-resolution-net.pytorch, 'Data preparation')"
)
PARTS = ("annotations", "val2017", "train2017", "detections")
LAYOUT = (
    "annotations/person_keypoints_train2017.json",
    "annotations/person_keypoints_val2017.json",
    "images/train2017",
    "images/val2017",
    f"person_detection_results/{DETECTIONS}",
)


def remotes(root: Path, only=PARTS, mirror=None, detections_url=None) -> list[dl.Remote]:
    page = "https://cocodataset.org/#download"
    table = {
        "annotations": dl.Remote(
            dl.mirrored(f"{COCO_HOST}/annotations/annotations_trainval2017.zip", mirror),
            root / "annotations_trainval2017.zip", size=252_907_541, manual=page,
            extract_to=root, members=("annotations/person_keypoints_",)),
        "val2017": dl.Remote(
            dl.mirrored(f"{COCO_HOST}/zips/val2017.zip", mirror), root / "val2017.zip",
            size=815_585_330, manual=page, extract_to=root / "images"),
        "train2017": dl.Remote(
            dl.mirrored(f"{COCO_HOST}/zips/train2017.zip", mirror), root / "train2017.zip",
            size=19_336_861_798, manual=page, extract_to=root / "images"),
        "detections": dl.Remote(
            detections_url, root / "person_detection_results" / DETECTIONS,
            manual=HRNET_DRIVE),
    }  # fmt: skip
    return [table[p] for p in only]


def main(argv: list[str] | None = None) -> int:
    p = dl.base_parser(__doc__.split("\n")[0], "data/coco")
    p.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS),
                   help="what to fetch (default: all; train2017 is 18 GiB)")  # fmt: skip
    p.add_argument("--detections-url", default=None,
                   help=f"a direct link to {DETECTIONS}, if you have one")  # fmt: skip
    args = p.parse_args(argv)
    todo = remotes(args.root, args.only, args.mirror, args.detections_url)
    if args.dry_run:
        dl.print_plan(todo)
        dl.print_layout(args.root, LAYOUT)
        return 0
    code = dl.fetch_all(todo, args=args)
    dl.print_layout(args.root, LAYOUT)
    print(f"(optional, for test-dev: {DETECTIONS_TESTDEV} from the same folder, next to it)")
    return code


if __name__ == "__main__":
    sys.exit(main())
