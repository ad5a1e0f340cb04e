# hookgate — one check command: `make test` (CI runs it through .ci/run).
#
#   make dev         run the product locally (hookgate dev: emulator, front, demo traffic);
#                    open the inspector URL it prints to see, open, replay and rotate
#   make test        everything below, in order, with a timing per stage; stops at the first
#                    failing stage (KEEP_GOING=1: runs them all, then fails)
#   make lint        ruff check
#   make typecheck   mypy --strict (settings in pyproject.toml)
#   make unit        pytest tests/unit          make pytest   pytest, all tiers
#   make validate    sam validate --lint        make build    sam build (layer + functions)
#   make scan        cfn-lint (all rules) and checkov on template.yaml, accepted findings only
#   make mutate      mutation testing of the security-critical modules (the full run: over an hour);
#                    `make test` runs it on the modules changed since main's last release tag,
#                    or on a bounded sample of modules when there is no tag
#
# The first run creates .venv (Python 3.13, the project editable + dev extras); the targets that
# need them add .tools/sam (the SAM CLI, cfn-lint) and .tools/checkov, and `make test` installs
# Chromium from the system packages for the inspector's browser tests (apt-get, only when
# /usr/bin/chromium is missing; without root or apt-get those tests skip and say why). Later
# runs reuse them until pyproject.toml or the requirement files change. See scripts/bootstrap.sh.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test
MAKEFLAGS += --no-print-directory

export SAM_CLI_TELEMETRY := 0
export AWS_DEFAULT_REGION ?= eu-west-1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_NO_INPUT := 1

VENV := .venv
SAM := .tools/sam/bin/sam
TIMINGS := .tools/timings.txt

# The Python 3.13 interpreter, looked up once and only when a recipe needs it.
PYTHON313 = $(eval PYTHON313 := $(shell scripts/find-python.sh))$(PYTHON313)

# mypy refuses a directory without Python files, so only the populated ones are passed.
MYPY_PATHS := $(foreach dir,layers plugins devkit functions tests benchmarks scripts examples,\
	$(if $(shell find $(dir) -name '*.py' -print -quit 2>/dev/null),$(dir)))

RUFF_CHECK = $(VENV)/bin/ruff check .
RUFF_FORMAT_CHECK = $(VENV)/bin/ruff format --check .
MYPY = $(VENV)/bin/mypy $(MYPY_PATHS)
PYTEST = $(VENV)/bin/pytest
SAM_VALIDATE = $(SAM) validate --lint --template template.yaml
# cfn-lint with its informational rules too, then checkov: every finding must be listed with a
# reason in scripts/accepted-findings.yaml (scripts/scan_template.py).
SCAN_TEMPLATE = .tools/sam/bin/cfn-lint --include-checks I -- template.yaml && \
	$(VENV)/bin/python scripts/scan_template.py .tools/checkov/bin/checkov
# Mutation testing with mutmut (scripts/mutate.py): every mutant killed or listed with a reason in
# scripts/equivalent-mutants.yaml. mutmut rather than cosmic-ray: it forks each mutant from one
# warm pytest process and runs only the tests that call the mutated function, where cosmic-ray
# starts a fresh test process per mutant (boto3, moto and hypothesis imports: seconds each),
# which on this 2-core machine is several times slower for the same mutants.
MUTATE = $(VENV)/bin/python scripts/mutate.py
LAST_RELEASE_TAG = $(shell git describe --tags --abbrev=0 2>/dev/null)
# Modules whose tests are unit tests: a bounded sample that takes about a minute.
MUTATE_SAMPLE := plugins/hookgate_sinch/signature.py \
	plugins/hookgate_360dialog/plugin.py layers/hookgate/safe_json.py
MUTATE_CHANGED = $(MUTATE) --since "$(LAST_RELEASE_TAG)" $(foreach m,$(MUTATE_SAMPLE),--sample $(m))

# sam build checks that the functions' runtime (python3.13) is on PATH; the layer's Makefile
# uses the same interpreter.
SAM_BUILD = PATH="$(dir $(PYTHON313)):$$PATH" $(SAM) build --template template.yaml

# $(call stage,<name>,<command>): run a stage, print and record how long it took. A failed
# stage stops `make test`, unless KEEP_GOING=1 (then every stage runs and the end fails).
define stage
@printf '\n==> %s\n' '$(1)'; \
start=$$(date +%s%N); \
if $(2); then status=ok; else rc=$$?; status="FAILED (exit $$rc)"; fi; \
ms=$$(( ($$(date +%s%N) - start) / 1000000 )); \
line=$$(printf '%-22s %4d.%02ds  %s' '$(1)' $$((ms / 1000)) $$((ms % 1000 / 10)) "$$status"); \
echo "<== $$line"; echo "$$line" >>$(TIMINGS); \
if [[ $$status != ok && -z "$(KEEP_GOING)" ]]; then $(show_timings); exit $${rc}; fi
endef
show_timings = printf '\nStage timings:\n'; cat $(TIMINGS)

# Only the environments a target needs: `make dev` never waits for the SAM CLI or checkov.
BOOTSTRAP_VENV = scripts/bootstrap.sh venv

.PHONY: dev test bootstrap lint format format-check typecheck unit pytest mutate validate scan build \
	clean distclean

test:
	@mkdir -p .tools && rm -f $(TIMINGS)
	$(call stage,bootstrap,scripts/bootstrap.sh)
	$(call stage,ruff check,$(RUFF_CHECK))
	$(call stage,mypy,$(MYPY))
	$(call stage,pytest,$(PYTEST))
	$(call stage,mutate (changed),$(MUTATE_CHANGED))
	$(call stage,sam validate --lint,$(SAM_VALIDATE))
	$(call stage,scan template,$(SCAN_TEMPLATE))
	$(call stage,sam build,$(SAM_BUILD))
	@$(show_timings); ! grep -q FAILED $(TIMINGS)

bootstrap:
	@scripts/bootstrap.sh

# The local stack: AWS emulator, the HttpApi routes, the real handlers, demo traffic, a live
# view of normalised events. Ctrl-C stops it. Pass flags with ARGS, e.g. ARGS="--no-demo".
dev:
	@$(BOOTSTRAP_VENV)
	$(VENV)/bin/hookgate dev $(ARGS)

lint:
	@$(BOOTSTRAP_VENV)
	$(RUFF_CHECK)

# Not part of `make test` yet, as the tree is not ruff-format clean; once it is, add
# `$(call stage,ruff format --check,$(RUFF_FORMAT_CHECK))` after ruff check in `test`.
format-check:
	@$(BOOTSTRAP_VENV)
	$(RUFF_FORMAT_CHECK)

format:
	@$(BOOTSTRAP_VENV)
	$(VENV)/bin/ruff format .

typecheck:
	@$(BOOTSTRAP_VENV)
	$(MYPY)

unit:
	@$(BOOTSTRAP_VENV)
	$(PYTEST) tests/unit

pytest:
	@$(BOOTSTRAP_VENV)
	$(PYTEST)

mutate:
	@$(BOOTSTRAP_VENV)
	$(MUTATE)

validate:
	@scripts/bootstrap.sh venv sam
	$(SAM_VALIDATE)

scan: bootstrap
	$(SCAN_TEMPLATE)

build:
	@scripts/bootstrap.sh venv sam
	$(SAM_BUILD)

clean:
	rm -rf .aws-sam .mutate

distclean: clean
	rm -rf $(VENV) .tools
