# claimsmapper — see README.md. `make test` is what CI runs.
GO        ?= go
# bash with pipefail: `make bench` pipes go test through tee, and a failed
# run must fail the target.
SHELL       := bash
.SHELLFLAGS := -o pipefail -c
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
FUZZTIME  ?= 10s
# Minimizing a large new input can take the whole budget; keep it short.

.PHONY: all build install test test-unit demo bench fuzz lint fmt package tidy studio studio-check fresh-check

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/claimsmapper ./cmd/claimsmapper

# Puts claimsmapper where go install does ($GOBIN, or $GOPATH/bin).
install:
	$(GO) install -ldflags "$(LDFLAGS)" ./cmd/claimsmapper

# What make test needs besides Go, installed by make itself so that a fresh
# clone needs no setup step: each folder's npm packages, exactly as its
# package-lock.json pins them (again only when the lock file changes), and
# the Lambda Runtime Interface Emulator, pinned in internal/testenv/rie.go,
# and local-kms, pinned in internal/testenv/kms.go.
# Chromium (for the studio's browser test) is the one thing left to the
# system: without it that test says how to install it and skips.
NPM_DIRS  := internal/studio/web internal/testenv deploy
NPM_READY := $(NPM_DIRS:%=%/node_modules/.installed)
TOOLS     := $(CURDIR)/bin/tools
RIE       := $(TOOLS)/aws-lambda-rie
KMS       := $(TOOLS)/local-kms

%/node_modules/.installed: %/package-lock.json
	cd $* && npm ci --no-audit --no-fund
	@touch $@

# The emulator is a Linux program: where it cannot be built, the tests that
# need it skip (outside CI) and say so.
$(RIE): internal/testenv/rie.go
	@mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) $(GO) install "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$$(sed -n 's/^const RIEVersion = "\(.*\)"$$/\1/p' internal/testenv/rie.go)" || \
		echo "make: aws-lambda-rie could not be installed; the tests that need it will skip"

# local-kms, a KMS API server with asymmetric signing keys, pinned in
# internal/testenv/kms.go: the signed-mapping tests sign through it.
$(KMS): internal/testenv/kms.go
	@mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) $(GO) install "github.com/nsmithuk/local-kms@$$(sed -n 's/^const KMSVersion = "\(.*\)"$$/\1/p' internal/testenv/kms.go)" || \
		echo "make: local-kms could not be installed; the tests that need it will skip"

# Unit and integration tests, all under the race detector, where a
# concurrency test proves what it claims (about 4 minutes on 2 cores);
# integration tests start their own servers.
# bench/ is a module of its own: its tests check the five engines agree.
# The deploy test runs the CLI the construct derives the IAM policy with.
test: lint studio-check build | $(NPM_READY) $(RIE) $(KMS)
	PATH="$(TOOLS):$$PATH" $(GO) test -race -count=1 ./...
	$(GO) -C bench test -count=1 ./...
	cd deploy && CLAIMSMAPPER_CLI=$(CURDIR)/bin/claimsmapper npm test

# The fast subset: no servers.
test-unit:
	$(GO) test -short -count=1 ./...

# Runs the seed scenario on local data and prints the claims the mapping
# set, then the whole response. The command is echoed, so the reader sees
# the --env that names the table.
demo:
	CLAIMS_MAPPING_ENV=TABLE_NAME $(GO) run ./cmd/claimsmapper run --summary \
		--mapping testdata/seed/mapping.yaml \
		--event testdata/seed/event.json \
		--data testdata/seed/users.yaml \
		--env TABLE_NAME=SampleUsers

# Every benchmark, then BENCHMARKS.md rewritten from their output (medians
# of BENCH_COUNT runs). The integration ones need the servers .ci/run installs.
# The outputs go to bench/out (git-ignored).
BENCH_COUNT ?= 5
# Cold starts per function: each iteration starts every function once, in
# turn. Warm runs per function: each sends 1,100 events, and CPU per call
# and memory move far less than a cold start's wall time.
COLD_RUNS ?= 25
WARM_RUNS ?= 5

bench: | $(NPM_READY) $(RIE)
	@rm -rf bench/out && mkdir -p bench/out
	$(GO) -C bench test -run '^$$' -bench BenchmarkEngines -benchmem -count $(BENCH_COUNT) . | tee bench/out/engines.txt
	$(GO) test -run '^$$' -bench 'BenchmarkHandler|BenchmarkScale|BenchmarkBudget' -benchmem -count $(BENCH_COUNT) ./mapper/ | tee bench/out/mapper.txt
	$(GO) test -run '^$$' -bench BenchmarkCostHonesty -benchtime 1x -count 3 ./mapper/ | tee bench/out/honesty.txt
	PATH="$(TOOLS):$$PATH" $(GO) test -run '^$$' -bench 'BenchmarkColdStart|BenchmarkPackageInit' -benchtime $(COLD_RUNS)x ./integration/ | tee bench/out/coldstart.txt
	PATH="$(TOOLS):$$PATH" $(GO) test -run '^$$' -bench BenchmarkWarm -benchtime $(WARM_RUNS)x ./integration/ | tee bench/out/warm.txt
	$(GO) test -run '^$$' -bench BenchmarkInit -benchmem -count $(BENCH_COUNT) ./internal/lambda/ | tee bench/out/init.txt
	$(GO) test -run '^$$' -bench BenchmarkEvaluateTenTests -benchmem -count $(BENCH_COUNT) ./internal/studio/ | tee bench/out/studio.txt
	$(GO) test -run '^$$' -bench BenchmarkDynamoDBCost -benchtime 20x ./integration/ | tee bench/out/dynamodb.txt
	$(MAKE) --no-print-directory package | tee bench/out/package.txt
	$(GO) -C bench run ./cmd/benchreport -o ../BENCHMARKS.md out/engines.txt out/mapper.txt out/honesty.txt out/coldstart.txt out/warm.txt out/init.txt out/studio.txt out/dynamodb.txt out/package.txt

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeEvent$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./mapper/
	$(GO) test -run '^$$' -fuzz '^FuzzAppendString$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./mapper/
	$(GO) test -run '^$$' -fuzz '^FuzzWithVersion$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/authoring/
	$(GO) test -run '^$$' -fuzz '^FuzzEvaluate$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./mapper/
	# One worker: it measures time per unit of work against a loop step.
	$(GO) test -run '^$$' -fuzz '^FuzzCostHonesty$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s -parallel 1 ./mapper/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./config/
	$(GO) test -run '^$$' -fuzz '^FuzzScan$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/yamlnode/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/inlinetest/
	$(GO) test -run '^$$' -fuzz '^FuzzLintMatchesLoad$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/lint/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./localdata/
	$(GO) test -run '^$$' -fuzz '^FuzzParseUsers$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/changes/
	$(GO) test -run '^$$' -fuzz '^FuzzVerify$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/signing/

# The studio's page script: CodeMirror bundled by esbuild, both pinned in
# internal/studio/web/package-lock.json. The bundle is committed so that go
# build needs no Node; studio-check fails when it differs from a fresh build,
# and runs the page's own tests (node --test).
STUDIO_WEB := internal/studio/web

studio: | $(STUDIO_WEB)/node_modules/.installed
	cd $(STUDIO_WEB) && npm run build

studio-check: | $(STUDIO_WEB)/node_modules/.installed
	@out=$$(mktemp -d) && trap 'rm -rf "$$out"' EXIT && \
		(cd $(STUDIO_WEB) && OUT="$$out/app.js" npm run --silent build -- --log-level=warning) && \
		cmp -s "$$out/app.js" internal/studio/assets/app.js || \
		{ echo "internal/studio/assets/app.js differs from a fresh build of $(STUDIO_WEB): run make studio and commit it"; exit 1; }
	cd $(STUDIO_WEB) && npm test --silent

# Code checks: formatting, vet, and a tidy go.mod.
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) mod tidy -diff
	$(GO) -C bench vet ./...
	$(GO) -C bench mod tidy -diff

fmt:
	gofmt -w $$(git ls-files '*.go')

# Lambda packages for provided.al2023: dist/claimsmapper-<arch>.zip with the
# function (cmd/bootstrap: the handler, the mapper, the DynamoDB source and
# the mapping's delivery, none of the CLI) as a static bootstrap at the zip
# root. cmd/bootstrap's tests hold what it may link to an allowlist.
# lambda.norpc leaves out aws-lambda-go's RPC mode, which provided.al2023
# never uses; nethttpomithttp2 leaves out net/http's HTTP/2 (the runtime
# API, DynamoDB, S3 and KMS are all spoken over HTTP/1.1): 0.16 MB of zip.
# internal/testenv.LambdaTags is the same list, for the tests' builds.
DIST      ?= dist
ARCHES    ?= arm64 amd64
LAMBDA_TAGS := lambda.norpc,nethttpomithttp2

package:
	@rm -rf $(DIST) && mkdir -p $(DIST)
	@set -e; for arch in $(ARCHES); do \
		mkdir -p $(DIST)/$$arch; \
		CGO_ENABLED=0 GOOS=linux GOARCH=$$arch $(GO) build -tags $(LAMBDA_TAGS) -trimpath \
			-ldflags "-s -w $(LDFLAGS)" -o $(DIST)/$$arch/bootstrap ./cmd/bootstrap; \
		$(GO) run ./internal/cmd/lambdazip -o $(DIST)/claimsmapper-$$arch.zip $(DIST)/$$arch/bootstrap; \
		echo "$(DIST)/claimsmapper-$$arch.zip: bootstrap $$(wc -c < $(DIST)/$$arch/bootstrap) bytes, zip $$(wc -c < $(DIST)/claimsmapper-$$arch.zip) bytes"; \
	done

# README's promise, checked as a newcomer meets it: a clone of the committed
# files in a new folder, with an empty HOME and npm cache, runs exactly the
# commands README's "Try it" shows (see .ci/fresh-clone). CI runs this.
fresh-check:
	bash .ci/fresh-clone
