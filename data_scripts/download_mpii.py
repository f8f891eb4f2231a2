"""Download MPII Human Pose (images, official .mat) and lay out HRNet's JSON annotations.

Layout the official SimCC / HRNet MPII loader reads (official_spec.md Sec. 5):

    data/mpii/images/*.jpg
    data/mpii/annot/{train,valid,trainval,test}.json   HRNet's conversion (fields image, center,
                                                       scale, joints, joints_vis)
    data/mpii/annot/gt_valid.mat                       PCKh ground truth of the valid split

The images and the official annotation (``mpii_human_pose_v1_u12_1.mat`` inside
``mpii_human_pose_v1_u12_2.zip``) come from the MPII site. HRNet's JSON files and ``gt_valid.mat``
are only on HRNet's OneDrive / Google Drive folder (no direct links; the script says where).
Neither source publishes checksums, so nothing is verified beyond the archive formats.

``--convert`` writes ``annot/trainval_from_mat.json`` from the official .mat in HRNet's record
format: every annotated person of the MPII training images (objpos, scale and joints, 1-based
MATLAB pixel coordinates as in HRNet's files; missing joints are ``[-1, -1]`` with
``joints_vis`` 0). Differs from HRNet's files: HRNet's train/valid split (Tompson et al.'s 2,958
validation persons) is not in the .mat, so the converter writes one file; pass
``--valid-images`` (a text file of image names) to split it into ``train_from_mat.json`` and
``valid_from_mat.json``. Use HRNet's own files to compare with published numbers.

Examples::

    python data_scripts/download_mpii.py --dry-run
    python data_scripts/download_mpii.py --only annotations --convert
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

try:
    from data_scripts import _download as dl
except ImportError:  # run as a file: python data_scripts/download_mpii.py
    import _download as dl

MPII_HOST = "https://datasets.d2.mpi-inf.mpg.de/andriluka14cvpr"
MPII_PAGE = "http://human-pose.mpi-inf.mpg.de/ (Download)"
MAT_NAME = "mpii_human_pose_v1_u12_1.mat"
HRNET_DRIVE = (
    "HRNet's MPII annotation folder: OneDrive https://1drv.ms/f/s!AhIXJn_J-blW00SqrairNetmeVu4 or "
    "Google Drive https://drive.google.com/drive/folders/1En_VqmStnsXMdldXA6qpqEyDQulnmS3a "
    "(linked from github.com/leoxiaobin/deep-high-resolution-net.pytorch, 'Data preparation'); "
    "put train.json, valid.json, trainval.json, test.json and gt_valid.mat in annot/"
)
PARTS = ("annotations", "images", "hrnet_annot")
LAYOUT = ("images", "annot/train.json", "annot/valid.json", "annot/gt_valid.mat")
NUM_JOINTS = 16


def remotes(root: Path, only=PARTS, mirror=None) -> list[dl.Remote]:
    table = {
        "annotations": [dl.Remote(
            dl.mirrored(f"{MPII_HOST}/mpii_human_pose_v1_u12_2.zip", mirror),
            root / "mpii_human_pose_v1_u12_2.zip", manual=MPII_PAGE, extract_to=root)],
        "images": [dl.Remote(
            dl.mirrored(f"{MPII_HOST}/mpii_human_pose_v1.tar.gz", mirror),
            root / "mpii_human_pose_v1.tar.gz", size=12_900_000_000, manual=MPII_PAGE,
            extract_to=root)],  # the tarball holds images/
        "hrnet_annot": [
            dl.Remote(None, root / "annot" / name, manual=HRNET_DRIVE)
            for name in ("train.json", "valid.json", "gt_valid.mat")
        ],
    }  # fmt: skip
    return [r for p in only for r in table[p]]


def _as_list(x) -> list:
    """scipy's squeeze_me turns 1-element struct arrays into scalars and empty ones into []."""
    if x is None:
        return []
    if isinstance(x, np.ndarray):
        return list(x.ravel())
    return [x]


def _number(x, default: float) -> float:
    vals = _as_list(x)
    if not vals:
        return default
    try:
        return float(vals[0])
    except (TypeError, ValueError):
        return default


def convert_release(release, valid_images: set[str] | None = None) -> dict[str, list[dict]]:
    """HRNet-style records from the ``RELEASE`` struct of the official MPII .mat.

    ``release`` is what ``scipy.io.loadmat(path, struct_as_record=False, squeeze_me=True)``
    returns under ``"RELEASE"`` (fields ``annolist``, ``img_train``). Returns
    ``{"trainval": [...]}``, or ``{"train": [...], "valid": [...]}`` when ``valid_images`` is
    given. Each record: ``image``, ``center`` [x, y], ``scale``, ``joints`` (16, 2),
    ``joints_vis`` (16,), in MPII joint order (``simdr_lite.skeletons.MPII``).
    """
    annolist = _as_list(release.annolist)
    is_train = np.asarray(release.img_train).ravel()
    if len(annolist) != len(is_train):
        raise ValueError(f"annolist ({len(annolist)}) and img_train ({len(is_train)}) differ")
    records = []
    for entry, train in zip(annolist, is_train, strict=True):
        if int(train) != 1:
            continue
        name = str(entry.image.name)
        for rect in _as_list(getattr(entry, "annorect", None)):
            points = getattr(rect, "annopoints", None)
            pos = getattr(rect, "objpos", None)
            if not _as_list(points) or not _as_list(pos) or not hasattr(rect, "scale"):
                continue
            scale = _number(rect.scale, -1.0)
            if scale <= 0:
                continue
            joints = np.full((NUM_JOINTS, 2), -1.0)
            vis = np.zeros(NUM_JOINTS, int)
            for pt in _as_list(getattr(_as_list(points)[0], "point", None)):
                j = int(_number(pt.id, -1))
                if 0 <= j < NUM_JOINTS:
                    joints[j] = _number(pt.x, -1.0), _number(pt.y, -1.0)
                    vis[j] = 1
            if not vis.any():
                continue
            center = [_number(_as_list(pos)[0].x, -1.0), _number(_as_list(pos)[0].y, -1.0)]
            records.append({"image": name, "center": center, "scale": scale,
                            "joints": joints.tolist(), "joints_vis": vis.tolist()})  # fmt: skip
    if valid_images is None:
        return {"trainval": records}
    return {
        "train": [r for r in records if r["image"] not in valid_images],
        "valid": [r for r in records if r["image"] in valid_images],
    }


def convert_mat(mat_file: Path, out_dir: Path, valid_list: Path | None = None) -> list[Path]:
    """Read the official .mat with scipy and write ``*_from_mat.json`` files into ``out_dir``."""
    from scipy.io import loadmat

    if not Path(mat_file).is_file():
        raise FileNotFoundError(
            f"{mat_file} not found: download mpii_human_pose_v1_u12_2.zip first "
            "(python data_scripts/download_mpii.py --only annotations)"
        )
    release = loadmat(mat_file, struct_as_record=False, squeeze_me=True)["RELEASE"]
    valid = None
    if valid_list is not None:
        valid = {ln.strip() for ln in Path(valid_list).read_text().splitlines() if ln.strip()}
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for split, recs in convert_release(release, valid).items():
        path = out_dir / f"{split}_from_mat.json"
        path.write_text(json.dumps(recs))
        print(f"  wrote {len(recs)} persons -> {path}")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    p = dl.base_parser(__doc__.split("\n")[0], "data/mpii")
    p.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS),
                   help="what to fetch (default: all; images are 12.9 GB)")  # fmt: skip
    p.add_argument("--convert", action="store_true",
                   help=f"write annot/*_from_mat.json from {MAT_NAME}")  # fmt: skip
    p.add_argument("--valid-images", type=Path, default=None,
                   help="text file of validation image names, to split the conversion")  # fmt: skip
    args = p.parse_args(argv)
    todo = remotes(args.root, args.only, args.mirror)
    mat = args.root / "mpii_human_pose_v1_u12_2" / MAT_NAME
    if args.dry_run:
        dl.print_plan(todo)
        if args.convert:
            print(f"  - convert {mat} -> {args.root / 'annot'}/*_from_mat.json")
        dl.print_layout(args.root, LAYOUT)
        return 0
    code = dl.fetch_all(todo, args=args)
    if args.convert:
        try:
            convert_mat(mat, args.root / "annot", args.valid_images)
        except FileNotFoundError as e:
            print(f"\n[!] {e}\n", file=sys.stderr)
            code = 1
    dl.print_layout(args.root, LAYOUT)
    return code


if __name__ == "__main__":
    sys.exit(main())
