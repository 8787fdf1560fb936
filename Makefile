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

# Main job on built-in data: list assignments, rebuild releases, score masters and blank releases.
demo: $(STAMP)
	$(VENV)/bin/course list
	$(VENV)/bin/course release
	$(VENV)/bin/course check

# The whole test suite on both cores (CI runs exactly this through .ci/run).
test: $(STAMP)
	$(PY) -m pytest -n 2
