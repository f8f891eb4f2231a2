"""What serves the notebooks and the demo study, kept apart from the library core.

The core (``codecs``, ``representations``, ``losses``, ``models``, ``data``, ``evaluation``,
``engine``) never imports from here. Here: ``viz`` (figures), ``widgets`` (slider callbacks and their
ipywidgets bindings), ``paper`` (the paper's tables as data), ``compare`` (measured runs beside the
paper's cells) and ``demo`` (the synthetic low-resolution study behind ``simdr-lite demo``).
"""
