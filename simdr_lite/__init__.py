"""simdr-lite: a notebook-driven reference reproduction of SimDR / SimCC.

Li et al., "SimCC: a Simple Coordinate Classification Perspective for Human Pose Estimation"
(first titled "Is 2D Heatmap Representation Even Necessary for Human Pose Estimation?"),
arXiv 2107.03332.

The library core, in the order the notebooks use it: ``codecs`` (heatmap, SimDR, SimDR* encodings),
``representations`` (one object each: codec, losses, head, decoding, flip test), ``losses``,
``analysis`` (quantization study), ``models``, ``data``, ``evaluation``, ``build`` (a config's parts)
and ``engine`` (configs, training). ``notebook`` serves the notebooks (figures, widgets, the paper's
tables, the demo study) and is never imported by the core.
"""

__version__ = "0.1.0"
