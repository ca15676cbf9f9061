# The README's two commands: `make study` and `make test`. Everything else is a step
# they depend on. Only Python >= 3.11 and make are assumed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
STUDY  ?= study.db
CORPUS := corpus/sieca-kozlowski-2009.md
CODEBOOK := codebooks/ngos-power-ministries.yaml

.PHONY: study test lint check setup clean-study bench help

help:
	@echo "make study   set up, build the bundled study ($(STUDY)) and open qcode on it"
	@echo "make test    set up and run the whole test suite"
	@echo "make lint    ruff and mypy"
	@echo "make bench   run the benchmarks (prints figures)"

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "qcode needs Python >= 3.11" or 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Built once: an existing study project holds your codings and is never rebuilt.
$(STUDY): | $(STAMP)
	$(BIN)/qcode -p $(STUDY).partial init --name "NGOs and the power ministries (Sieca-Kozlowski 2009)"
	$(BIN)/qcode -p $(STUDY).partial import $(CORPUS) --metadata corpus/interviews.yaml
	$(BIN)/qcode -p $(STUDY).partial codebook load $(CODEBOOK)
	mv $(STUDY).partial $(STUDY)

study: $(STUDY)
	$(BIN)/qcode -p $(STUDY)

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check qcode tests benchmarks
	$(BIN)/mypy

check: lint test

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean-study:
	rm -f $(STUDY).partial*
