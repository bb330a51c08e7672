# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
SEED_DOCUMENT := fixtures/ketamine-clinical-overview.md
SEED_TITLE := Ketamine Clinical Overview

.PHONY: run dev-server test seed serve bench-cohort bench-dashboard drill backup restore lint format clean

# The venv is rebuilt whenever a requirements file changes.
$(BIN)/.installed: requirements.txt requirements-dev.txt
	@echo "Installing the pinned requirements into $(VENV)…"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# The seed's own summary lines are what a newcomer needs: the migrations, the app's
# INFO log lines (LOG_LEVEL) and populate_history's notes are kept quiet.
SEED_MANAGE := LOG_LEVEL=WARNING $(MANAGE)

seed: $(BIN)/.installed
	@echo "Preparing the database and the seed content…"
	@$(SEED_MANAGE) migrate --no-input -v0
	@$(SEED_MANAGE) import_document $(SEED_DOCUMENT) --title "$(SEED_TITLE)"
	@$(SEED_MANAGE) load_banks
	@# A database from before question history existed gets its first versions. On
	@# any other it only says "Existing history found, skipping", which is no news:
	@# its output is shown only if it fails.
	@out=$$($(SEED_MANAGE) populate_history --auto -v0 2>&1) || { echo "$$out"; exit 1; }
	@$(SEED_MANAGE) create_seed_quizzes
	@$(SEED_MANAGE) create_demo_accounts

run: seed
	@echo ""
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "Log in as instructor, trainee1 or trainee2 with the password shown above."
	@echo "(make run PORT=8001 HOST=0.0.0.0 serves on another port or interface.)"
	@$(MAKE) --no-print-directory dev-server

# runserver, with the expiry scheduler beside it (quizzes/scheduler.py): attempts
# whose time ran out are closed every minute, no cron needed; and the LMS grade
# sender (lti_send_grades: posts the queued grades to the LMS, and retries failed
# ones after their back-off). EXPIRY_SCHEDULER=0 leaves both out. They stop with
# the server, Ctrl-C included: the trap kills them, they handle SIGINT
# themselves, and they die with this shell (--parent, PR_SET_PDEATHSIG).
dev-server: $(BIN)/.installed
	@case "$${EXPIRY_SCHEDULER:-1}" in \
	  0|false|False|FALSE|no|No|NO|off|Off|OFF) ;; \
	  *) $(MANAGE) close_expired_attempts --every 60 --parent $$$$ & \
	     scheduler=$$!; \
	     $(MANAGE) lti_send_grades --every 60 --parent $$$$ & \
	     grades=$$!; \
	     trap 'kill $$scheduler $$grades 2>/dev/null' EXIT INT TERM ;; \
	esac; \
	$(MANAGE) runserver $(HOST):$(PORT)

# Production settings under gunicorn, on loopback over plain HTTP (HTTPS=0).
# SECRET_KEY must come from the environment; ALLOWED_HOSTS defaults to loopback.
serve: $(BIN)/.installed
	@test -n "$$SECRET_KEY" || { echo "make serve: set SECRET_KEY in the environment"; exit 2; }
	DJANGO_SETTINGS_MODULE=quizsite.settings.production HTTPS=0 \
	  ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} $(MANAGE) migrate --no-input
	DJANGO_SETTINGS_MODULE=quizsite.settings.production HTTPS=0 \
	  ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} $(MANAGE) collectstatic --no-input -v0
	DJANGO_SETTINGS_MODULE=quizsite.settings.production HTTPS=0 \
	  ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} BIND=$(HOST):$(PORT) \
	  $(BIN)/gunicorn -c gunicorn.conf.py quizsite.wsgi

test: $(BIN)/.installed
	$(BIN)/pytest $(PYTEST_ARGS)

# The cohort benchmark (not part of `make test`): TRAINEES=N and DATABASE_URL=...
# override the defaults (500 trainees, a fresh SQLite database). NODES=2: two
# gunicorn nodes behind HAProxy, Redis for sessions and cache, a throwaway
# PostgreSQL, and one node killed halfway through the sitting (root installs
# haproxy and redis-server with apt-get if missing).
bench-cohort: $(BIN)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	$(BIN)/python bench/cohort.py

# The dashboard benchmark (not part of `make test`): the home page of a trainee with
# ANSWERS (5000) answered questions, RUNS (50) times, beside GET /healthz; a fresh
# SQLite database, or a new one on DATABASE_URL's PostgreSQL server. No extra
# packages: Django's test Client, in one process.
bench-dashboard: $(BIN)/.installed
	$(BIN)/python bench/dashboard.py

# The fault drill (docs/reliability.md): TRAINEES=N (60), BENCH_PG=1 or DATABASE_URL.
# A worker, the database and the whole server fail under a cohort sitting an exam;
# no acknowledged answer may be lost. Its client is plain Python: no extra packages.
drill: $(BIN)/.installed
	$(BIN)/python bench/drill.py

# A consistent backup while the app runs (backups/), and bringing one back.
backup: $(BIN)/.installed
	$(MANAGE) backup_database $(FILE)

restore: $(BIN)/.installed
	@test -n "$(FILE)" || { echo "make restore: give FILE=backups/..."; exit 2; }
	$(MANAGE) restore_database --yes "$(FILE)"

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
