"""Analyses of the representations: quantization error and oracle AP (paper Sec. 3, App. D), the losses'
gradients (notebook 03), and what trained networks output beyond their arg-max (notebook 11)."""
