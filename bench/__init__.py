"""Benchmarks and load drivers on the local stack (not deployed): one harness, one module per benchmark."""
