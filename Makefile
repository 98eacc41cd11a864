# The two commands of the README:  `make book`  and  `make test`.
# Both create the virtual environment and install the project on first use.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install book test test-offline lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch is pinned inside the `text` extra, in this same install command, so no CUDA build is pulled.
	$(PY) -m pip install --quiet -e ".[all]"
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (companion)" >/dev/null
	touch $(STAMP)

book: $(STAMP)
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

test: $(STAMP)
	$(PY) -m pytest --nbval-lax

# The same suite with only the loopback interface up: proves that nothing downloads (needs root).
test-offline: $(STAMP)
	unshare -n sh -c 'ip link set lo up && $(PY) -m pytest --nbval-lax'

lint: $(STAMP)
	$(VENV)/bin/ruff check companion tests benchmarks

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

clean:
	rm -rf _build
