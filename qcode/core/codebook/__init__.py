"""The codebook: the code tree as data, its YAML format, matching, merge plans, editing."""
