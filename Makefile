# Two entry points for a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo check test

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

DEMO := .demo
# the assignment whose simulated class `make demo` grades (spiral_from_scratch is the quickest to grade)
ASSIGNMENT ?= spiral_from_scratch

# Main job on built-in data, the instructor's loop: build every release (with its leak check), write a simulated
# class of a dozen students from the mutant catalogue (perfect, another style, typical bugs, a broken file),
# grade it in the sandbox on both cores, and print the gradebook's summary.
demo: $(STAMP)
	$(VENV)/bin/course list
	$(VENV)/bin/course release
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	$(VENV)/bin/course class $(ASSIGNMENT) $(DEMO)/submissions
	$(VENV)/bin/course grade $(ASSIGNMENT) $(DEMO)/submissions --class-folder --out $(DEMO)/results --jobs 2

# Prove every assignment fit to release: notebooks run, masters score full marks, blank releases zero, every
# mutant caught and every alternative kept.
check: $(STAMP)
	$(VENV)/bin/course check

# The whole test suite on both cores (CI runs exactly this through .ci/run).
test: $(STAMP)
	$(PY) -m pytest -n 2
