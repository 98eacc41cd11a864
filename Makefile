# The two commands of the README:  `make book`  and  `make test`.
# Both create the virtual environment and install the project on first use.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install book test test-offline lint bench lab clean

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

# JupyterLab on the book's folder; the chapters run on the kernel "python3" installed above (this venv's
# python, display name "Python 3 (companion)"). Extra flags: make lab LAB_ARGS="--no-browser --port 8899"
# (as root, e.g. in a container: LAB_ARGS=--allow-root).
lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/book $(LAB_ARGS)

clean:
	rm -rf _build
