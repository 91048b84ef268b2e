# The two commands of the README: `make demo` runs Socle with a demo network
# on the embedded database; `make test` installs what the tests need and runs
# every check and test.
.PHONY: demo test build bench

demo:
	go run ./cmd/socle serve --demo

test:
	scripts/test

build:
	go build -o bin/socle ./cmd/socle

bench:
	scripts/with-postgres go test -run '^$$' -bench . -benchtime 2s ./...
