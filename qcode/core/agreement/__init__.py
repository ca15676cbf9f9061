"""Inter-coder agreement: coefficients, their inputs, resampling, and SQL tallies."""
