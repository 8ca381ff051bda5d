# Forma — the two commands a newcomer needs are `make run` and `make test`.
# Everything loops over the modules of go.work, so a new module is picked up by itself.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

GO        ?= go
GOROOT    := $(shell $(GO) env GOROOT)
# Every module of the workspace, as package patterns: ./backend/... ./shared/... ./wasm/...
MODULES   := $(patsubst $(CURDIR)/%,%,$(shell $(GO) list -m -f '{{.Dir}}'))
PKGS      := $(addprefix ./,$(addsuffix /...,$(MODULES)))
# -race for every module (measured: it fits CI's time easily; `make test RACE=` drops it).
RACE      ?= -race
# Extra go test flags; CI passes -count=1 so database tests never come from the cache.
GOTESTFLAGS ?=
FUZZTIME  ?= 5s

WASM      := wasm/forma.wasm
WASM_EXEC := wasm/wasm_exec.js

# The services the tests use; the defaults match the team's machines.
export TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
export TEST_REDIS_URL    ?= redis://127.0.0.1:6379/0

step = @echo "==> $(1)"

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z0-9-]+):.*## /  make \1\t/' | expand -t 24

# --- make run -----------------------------------------------------------------------
# scripts/run.sh makes sure the services answer, creates the database, builds the
# designer and forma, and runs `forma serve`.
.PHONY: run
run: ## start Forma on this machine (forma serve; prints the URL and the platform key)
	@bash scripts/run.sh

# scripts/web.sh builds the designer (web/) with forma.wasm where the binary embeds it.
.PHONY: web
web: ## build the designer (web/) and forma.wasm where the forma binary embeds them
	@bash scripts/web.sh

.PHONY: web-test
web-test: ## the designer's unit tests (Vitest) and type check (svelte-check)
	$(call step,web tests)
	@bash scripts/web.sh test

# --- make test ----------------------------------------------------------------------
.PHONY: test
test: services fmt-check vet web gotest js-build js-test wasm-test fuzz web-test e2e ## everything: services, gofmt, vet, the designer's build, tests (-race), js/wasm build and tests, wasm golden tests under Node, short fuzz, the designer's unit and browser tests
	@echo "==> make test: all passed"

.PHONY: services
services: ## make sure Postgres and Redis answer (start them if needed)
	$(call step,services)
	@bash scripts/services.sh

.PHONY: services-stop
services-stop: ## stop the private Postgres/Redis that `make services` started under .data/
	@bash scripts/services.sh stop-private

.PHONY: fmt-check
fmt-check: ## fail listing every file that gofmt would change
	$(call step,gofmt)
	@bad=$$(gofmt -l $(MODULES)); \
	if [ -n "$$bad" ]; then echo "gofmt: these files need 'gofmt -w':"; echo "$$bad"; exit 1; fi

.PHONY: fmt
fmt: ## gofmt -w every module
	gofmt -w $(MODULES)

.PHONY: vet
vet: ## go vet every module, natively and (wasm/) for js/wasm
	$(call step,go vet)
	$(GO) vet $(PKGS)
	GOOS=js GOARCH=wasm $(GO) vet ./shared/... ./wasm/...

.PHONY: gotest
gotest: ## go test every module
	$(call step,go test $(RACE))
	$(GO) test $(RACE) $(GOTESTFLAGS) $(PKGS)

.PHONY: js-build
js-build: ## shared must build for GOOS=js GOARCH=wasm
	$(call step,GOOS=js GOARCH=wasm go build ./shared/...)
	GOOS=js GOARCH=wasm $(GO) build ./shared/...

.PHONY: js-test
js-test: ## the tests of shared and wasm compiled to js/wasm, run under Node (go_js_wasm_exec)
	$(call step,GOOS=js GOARCH=wasm go test ./shared/... ./wasm/... under Node)
	PATH="$(GOROOT)/lib/wasm:$$PATH" GOOS=js GOARCH=wasm $(GO) test $(GOTESTFLAGS) ./shared/... ./wasm/...

.PHONY: wasm
wasm: ## build wasm/forma.wasm and copy Go's wasm_exec.js beside it
	$(call step,wasm)
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="-s -w" -o $(WASM) ./wasm
	cp $(GOROOT)/lib/wasm/wasm_exec.js $(WASM_EXEC)
	@echo "$(WASM): $$(wc -c <$(WASM)) bytes, $$(gzip -9 -c $(WASM) | wc -c) gzipped"

.PHONY: wasm-test
wasm-test: wasm ## run the golden cases (wasm/testdata) through forma.wasm under Node
	$(call step,wasm golden tests under Node)
	node --test-reporter=spec wasm/test/golden.mjs $(WASM)

.PHONY: fuzz
fuzz: ## every Fuzz* target (parsers, validators, JSON writers, the HTTP router) for FUZZTIME (5s) each
	$(call step,fuzz $(FUZZTIME) per target)
	@FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh ./shared/... ./backend/internal/jsonenc ./backend/internal/httpapi ./backend/internal/hostiletest

# --- make bench ---------------------------------------------------------------------
.PHONY: bench
bench: bench-go bench-load ## Go benchmarks, then the load run against a real forma serve

.PHONY: bench-go
bench-go: services ## Go benchmarks of shared, backend and the wasm bridge
	$(call step,go benchmarks)
	$(GO) test -run='^$$' -bench=. -benchmem ./shared/... ./backend/... ./wasm/...

# The load run: scripts/bench-load.sh, figures in docs/benchmarks-load.md.
.PHONY: bench-load
bench-load: services ## load run: forma serve vs pgbench on the Event model
	$(call step,load run)
	@bash scripts/bench-load.sh

# The same cases spread over many tenants: scripts/bench-tenants.sh, figures in
# docs/benchmarks-tenants.md.
.PHONY: bench-tenants
bench-tenants: services ## load run over many tenants (BENCH_TENANTS, default 1000) vs one tenant and pgbench
	$(call step,load run over many tenants)
	@bash scripts/bench-tenants.sh

# One tenant's slow lists beside another's gets: scripts/bench-noisy.sh, figures in
# docs/benchmarks-noisy.md.
.PHONY: bench-noisy
bench-noisy: services ## load run: a tenant's gets alone and beside another's 16 unindexed __icontains lists
	$(call step,noisy-neighbour load run)
	@bash scripts/bench-noisy.sh

# What a custom role's rules and an end-user token cost: scripts/bench-roles.sh, figures
# in docs/benchmarks-roles.md.
.PHONY: bench-roles
bench-roles: services ## load run: gets and lists with a write key, a custom role's key and a cached end-user token
	$(call step,roles and tokens load run)
	@bash scripts/bench-roles.sh

# An export against psql \copy of the same rows: scripts/bench-export.sh.
.PHONY: bench-export
bench-export: services ## export of 100,000 events as CSV against psql \copy … TO STDOUT, alternated rounds
	$(call step,export against COPY)
	@bash scripts/bench-export.sh

# An aggregation against pgbench running the same GROUP BY: scripts/bench-aggregate.sh,
# figures in docs/benchmarks-aggregate.md.
.PHONY: bench-aggregate
bench-aggregate: services ## load run: aggregations of 1,000,000 events (count per country, sum per day) vs pgbench
	$(call step,aggregate run)
	@bash scripts/bench-aggregate.sh

# How fast events get in: bulk POSTs (Prefer: return=minimal, and echoed) and streamed
# NDJSON and CSV bodies against psql \copy of the same rows, then one body of a million
# rows: scripts/bench-ingest.sh, figures in the README (bulk writes) and docs/ingest.md.
.PHONY: bench-ingest
bench-ingest: services ## load run: 100,000 events in JSON arrays and NDJSON/CSV bodies vs psql \copy
	$(call step,ingest run)
	@bash scripts/bench-ingest.sh

# The designer's end-to-end tests in Debian's chromium: scripts/e2e.sh.
# make test keeps its screenshots under .data/; `make screenshots` refreshes docs/screenshots.
.PHONY: e2e
e2e: services ## designer end-to-end tests (playwright-core + chromium) against forma serve
	$(call step,designer end-to-end tests in Chromium)
	@E2E_SCREENSHOTS=$${E2E_SCREENSHOTS:-$(CURDIR)/.data/screenshots} bash scripts/e2e.sh

.PHONY: screenshots
screenshots: services ## run the end-to-end tests and save their screenshots in docs/screenshots
	@E2E_SCREENSHOTS=$(CURDIR)/docs/screenshots bash scripts/e2e.sh

.PHONY: clean
clean: ## remove build outputs (not .data/)
	rm -f $(WASM) $(WASM_EXEC)
