"""Scripts that download and prepare the real data sets (COCO, MPII, CrowdPose) and subsets.

Run them from the repository root, e.g. ``python data_scripts/download_coco.py --dry-run`` or
``python -m data_scripts.download_coco --help``.
"""
