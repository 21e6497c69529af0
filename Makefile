SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/motcua
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install install-dev system demo run test test-sqlite test-postgres test-e2e test-drill lint clean ha-start ha-stop ha-status

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@if [ ! -x $(PY) ]; then PYBIN=$$(scripts/find-python.sh) || exit 1; $$PYBIN -m venv $(VENV); fi
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	@touch $@

# The virtualenv finds src/ by itself (a .pth file, appended after any PYTHONPATH), so tools run without
# PYTHONPATH=src — a bare `lint-imports` included — see the package as the tests do.
install: $(VENV)/.installed
	@$(PY) -c 'import pathlib, sysconfig; pathlib.Path(sysconfig.get_paths()["purelib"], "motcua-src.pth").write_text(str(pathlib.Path("src").resolve()) + "\n")'

system:
	scripts/system-packages.sh

# Installs everything, loads demo data on SQLite and serves http://127.0.0.1:8000 (demo mode: demo keys, HTTP)
demo: export MOTCUA_DEMO = 1
demo: install
	-scripts/system-packages.sh
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py setup_demo
	$(PY) manage.py create_demo_pki
	$(PY) manage.py consume_events
	scripts/demo.sh

# Style (ruff) and architecture: the layers and import contracts in pyproject.toml ([tool.importlinter])
lint: install
	$(VENV)/bin/ruff check src tests bench
	PYTHONPATH=src $(VENV)/bin/lint-imports

# Two workers (pytest-xdist), each with its own test database (PostgreSQL's suffixed _gw0, _gw1). Tests go out in
# pytest-django's order (those that empty the database after them last), which `--dist loadfile` would break: a file's
# tests travel together, so a transactional test could empty the rows the migrations wrote before another file reads
# them. TEST_WORKERS=0 runs them in one process.
TEST_WORKERS ?= 2
XDIST = -n $(TEST_WORKERS) --dist load

test-sqlite: install
	$(PY) -m pytest -q -m "not e2e and not drill" -p no:cacheprovider $(XDIST)

test-postgres: install
	scripts/ensure-postgres.sh
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -q -m "not e2e and not drill" -p no:cacheprovider $(XDIST)

test-e2e: install
	$(PY) -m pytest -q -m e2e -p no:cacheprovider || [ $$? -eq 5 ]

# Drills on a real Patroni cluster started by the tests themselves (failover, replica reads; ~3 min)
test-drill: install
	timeout 900 $(PY) -m pytest -q -s -m drill -p no:cacheprovider

# Runs every test: lint, SQLite, PostgreSQL, browser journeys, cluster drills
test: install system
	$(MAKE) lint
	$(MAKE) test-sqlite
	$(MAKE) test-postgres
	$(MAKE) test-e2e
	$(MAKE) test-drill

# A local HA cluster for trying things by hand (docs/operations.md, "Cluster"); prints the variables
ha-start:
	scripts/ha/cluster.py start --db motcua
ha-stop:
	scripts/ha/cluster.py stop
ha-status:
	scripts/ha/cluster.py status

clean:
	rm -rf $(VENV) var
