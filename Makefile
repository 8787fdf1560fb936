# Two entry points for a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

DEMO := .demo

# Main job on built-in data: rebuild releases; check masters, blank releases and the mutant catalogue;
# grade three demo submissions (master, blank release, unreadable file); run the adversarial sandbox suites.
demo: $(STAMP)
	$(VENV)/bin/course list
	$(VENV)/bin/course release
	$(VENV)/bin/course check
	rm -rf $(DEMO) && mkdir -p $(DEMO)/submissions
	cp source/spiral_from_scratch/spiral_from_scratch.ipynb $(DEMO)/submissions/master.ipynb
	cp release/spiral_from_scratch/spiral_from_scratch.ipynb $(DEMO)/submissions/blank.ipynb
	echo '{ not a notebook' > $(DEMO)/submissions/broken.ipynb
	$(VENV)/bin/course grade spiral_from_scratch $(DEMO)/submissions --out $(DEMO)/results --jobs 2
	$(PY) -m pytest -q -n 2 tests/autograder/test_sandbox_adversarial.py tests/autograder/test_sandbox_secrets.py

# The whole test suite on both cores (CI runs exactly this through .ci/run).
test: $(STAMP)
	$(PY) -m pytest -n 2
