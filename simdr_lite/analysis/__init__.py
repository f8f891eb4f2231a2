"""Analyses of the representations: quantization error and oracle AP (paper Sec. 3, App. D)."""
