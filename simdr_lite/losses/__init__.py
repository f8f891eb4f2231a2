"""Training losses: heatmap MSE, SimDR KL with label smoothing, SimDR* KL (official formulas)."""

from .kl import KLDiscretLoss
from .mse import JointsMSELoss
from .simdr import SimDRLoss

__all__ = ["JointsMSELoss", "KLDiscretLoss", "SimDRLoss"]
