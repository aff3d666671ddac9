# The two commands the README promises:
#   make demo   set up, start demo hosts as local containers, run site.yml on them
#   make test   every check CI runs
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
VENV := .venv
COLLECTION_LINK := .cache/collections/ansible_collections/llmops/vllm_stack
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.cache/collections
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo demo-down test lint sanity units molecule platform setup clean

demo: platform
	tests/platform/demo.sh up

demo-down: setup
	tests/platform/demo.sh down

test: platform
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

# Docker engine, the Debian 12 systemd base image, the vLLM CPU image the
# demo and the container scenarios run, and the dcgm-exporter stand-in image
# (a test double, docs/testing.md): each built only when missing or stale.
platform: setup
	tests/platform/docker-engine.sh
	tests/platform/base-image.sh
	tests/platform/vllm-image.sh
	tests/platform/dcgm-standin-image.sh

setup: $(VENV)/.installed $(COLLECTION_LINK)
	tests/platform/host-tools.sh

$(VENV)/.installed: requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@

# Playbooks in this checkout use the collection's FQCNs, as an installed copy would.
$(COLLECTION_LINK):
	mkdir -p $(dir $@)
	ln -sfn ../../../.. $@

clean:
	-tests/platform/demo.sh down
	rm -rf .cache .ansible
