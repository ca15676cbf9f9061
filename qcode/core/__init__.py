"""The domain: project store, codebook, search, agreement. Imports no UI library."""
