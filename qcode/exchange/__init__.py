"""Exchange with other tools and other copies: REFI-QDA codebooks (.qdc) and projects
(.qdpx, .qde), Taguette CSV, Markdown, and codebook diff. Files from outside are
untrusted: XML goes through :mod:`qcode.exchange.xmlsafe`, zips through
:mod:`qcode.exchange.zipsafe`, sizes are capped by :mod:`qcode.exchange.limits`.
Codebook formats by name or extension: :mod:`qcode.exchange.formats`."""
