"""Kernel tier: real Jupyter kernels started through cdc_tutor.kernel (no mocks)."""
