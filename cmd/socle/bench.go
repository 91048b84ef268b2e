package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
)

// benchmark is one `socle bench NAME`: it runs against the store chosen by
// the flags and prints one JSON line on stdout.
type benchmark struct {
	summary string
	run     func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error
}

// benchmarks are registered by the files that implement them.
var benchmarks = map[string]benchmark{}

func benchNames() []string {
	var names []string
	for n := range benchmarks {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func runBench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stdout, "Usage: socle bench NAME [flags]   (socle bench NAME --help for its flags)\n\nBenchmarks (each prints one JSON line):")
		for _, n := range benchNames() {
			fmt.Fprintf(stdout, "  %-8s %s\n", n, benchmarks[n].summary)
		}
		if len(args) == 0 {
			return usagef("bench: a benchmark name is required (%s)", strings.Join(benchNames(), ", "))
		}
		return nil
	}
	b, ok := benchmarks[args[0]]
	if !ok {
		return usagef("bench: unknown benchmark %q (%s)", args[0], strings.Join(benchNames(), ", "))
	}
	return b.run(ctx, args[1:], getenv, stdout, stderr)
}
