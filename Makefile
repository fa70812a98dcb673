# claimsmapper — see README.md. `make test` is what CI runs.
GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
FUZZTIME  ?= 10s
# Minimizing a large new input can take the whole budget; keep it short.

.PHONY: all build test test-unit demo bench fuzz lint fmt package tidy

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/claimsmapper ./cmd/claimsmapper

# Unit and integration tests; integration tests start their own servers.
test: lint
	$(GO) test -count=1 ./...
	cd deploy && npm test

# The fast subset: no servers.
test-unit:
	$(GO) test -short -count=1 ./...

# Runs the seed scenario on local data and prints the response.
demo:
	@TABLE_NAME=SampleUsers $(GO) run ./cmd/claimsmapper run \
		--mapping testdata/seed/mapping.yaml \
		--event testdata/seed/event.json \
		--data testdata/seed/users.yaml

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./mapper/

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeEvent$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./mapper/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./config/
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./mappingtest/

# Code checks: formatting, vet, and a tidy go.mod.
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) mod tidy -diff

fmt:
	gofmt -w $$(git ls-files '*.go')

# Lambda packages for provided.al2023: dist/claimsmapper-<arch>.zip with the
# static binary as bootstrap at the zip root.
DIST      ?= dist
ARCHES    ?= arm64 amd64

package:
	@rm -rf $(DIST) && mkdir -p $(DIST)
	@set -e; for arch in $(ARCHES); do \
		mkdir -p $(DIST)/$$arch; \
		CGO_ENABLED=0 GOOS=linux GOARCH=$$arch $(GO) build -tags lambda.norpc -trimpath \
			-ldflags "-s -w $(LDFLAGS)" -o $(DIST)/$$arch/bootstrap ./cmd/claimsmapper; \
		$(GO) run ./internal/cmd/lambdazip -o $(DIST)/claimsmapper-$$arch.zip $(DIST)/$$arch/bootstrap; \
		echo "$(DIST)/claimsmapper-$$arch.zip: bootstrap $$(wc -c < $(DIST)/$$arch/bootstrap) bytes, zip $$(wc -c < $(DIST)/claimsmapper-$$arch.zip) bytes"; \
	done
