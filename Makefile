# The two commands the README promises:
#   make demo   set up, start demo hosts as local containers, run site.yml on them
#   make test   every check CI runs
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
VENV := .venv
PREVIEWS_VENV := .cache/previews-venv
COLLECTION_LINK := .cache/collections/ansible_collections/llmops/vllm_stack
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.cache/collections
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo demo-down test lint sanity units molecule platform scenario-hosts host-tools setup previews docs clean

demo: platform
	tests/platform/demo.sh up

demo-down: setup
	tests/platform/demo.sh down

# The venv and the scenario hosts' engine and base image are independent:
# on a fresh machine they are made side by side (-j2; -O keeps each one's
# output in one piece). The vLLM and dcgm-exporter stand-in images are not
# made here: tests/run-scenario.sh builds the ones a scenario runs before
# its first use, so the vLLM build runs beside the static checks.
test:
	$(MAKE) -j2 -O setup scenario-hosts
	tests/run-tests.sh

# Single stages, for development.
lint: setup
	tests/run-tests.sh lint
sanity: setup
	tests/run-tests.sh sanity
units: setup
	tests/run-tests.sh units
molecule: platform
	tests/run-tests.sh molecule

# Docker engine, the Debian 12 systemd base image, the vLLM CPU and LiteLLM
# images the demo and the container scenarios run, the dcgm-exporter
# stand-in image and the Grafana stand-in package (test doubles,
# docs/testing.md): each built only when missing or stale.
platform: setup scenario-hosts
	tests/platform/vllm-image.sh
	tests/platform/litellm-image.sh
	tests/platform/dcgm-standin-image.sh
	tests/platform/grafana-standin-repo.sh

scenario-hosts: host-tools
	tests/platform/docker-engine.sh
	tests/platform/base-image.sh

setup: $(VENV)/.installed $(COLLECTION_LINK) host-tools

host-tools:
	tests/platform/host-tools.sh

$(VENV)/.installed: requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@

# The role reference (docs/roles/<role>.md) from each role's
# meta/argument_specs.yml; `make test` fails while a page is stale.
docs: setup
	$(VENV)/bin/python docs/role_docs.py

# README images of the dashboards (docs/dashboards/<uid>.png), drawn from the
# query results the molecule scenarios fetch (`make test` or one scenario
# first). matplotlib lives in a venv of its own so `make test` never needs it;
# like $(VENV), it is made only when missing or older than its requirements.
previews: $(PREVIEWS_VENV)/.installed
	$(PREVIEWS_VENV)/bin/python dashboards/previews.py --out docs/dashboards .cache/dashboard-results/*.json

$(PREVIEWS_VENV)/.installed: requirements-previews.txt
	python3 -m venv $(PREVIEWS_VENV)
	$(PREVIEWS_VENV)/bin/pip install -q -r requirements-previews.txt
	touch $@

# Playbooks in this checkout use the collection's FQCNs, as an installed copy would.
$(COLLECTION_LINK):
	mkdir -p $(dir $@)
	ln -sfn ../../../.. $@

clean:
	-tests/platform/demo.sh down
	rm -rf .cache .ansible
