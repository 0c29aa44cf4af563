"""Dutch text analysis for consult: NLP pipeline, segmentation, codebooks, coders,
evaluation and statistics.

This package never imports Flask or the ``consult`` web application: it works on
plain Python data so the web layer, the CLI and background jobs can all call it.
"""
