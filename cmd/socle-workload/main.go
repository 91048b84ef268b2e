// Command socle-workload writes an evaluation workload for misuse detection
// as labelled JSON lines (docs/detect-events.md), to be scored with
// `socle detect eval --events FILE`. It is written apart from the detector.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"socle/internal/workload"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if err != flag.ErrHelp {
			fmt.Fprintln(os.Stderr, "socle-workload:", err)
			os.Exit(1)
		}
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("socle-workload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: socle-workload [--staff N] [--days D] [--seed S] [--depts 69,75,…] --out FILE")
		fmt.Fprintln(stderr, "Writes a labelled workload of accesses with planted misuse (docs/detect-events.md).")
		fs.PrintDefaults()
	}
	staff := fs.Int("staff", 3000, "principals: agents and partner systems")
	days := fs.Int("days", 14, "calendar days, from Monday 2 February 2026")
	seed := fs.Uint64("seed", 1, "random seed")
	misuse := fs.Float64("misuse", 0.04, "planted incidents per principal over the period")
	depts := fs.String("depts", "", "comma-separated département codes (default: twenty)")
	out := fs.String("out", "", "output file ('-' for stdout)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		fs.Usage()
		return fmt.Errorf("--out is required")
	}
	var w io.Writer = stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("creating %s: %w", *out, err)
		}
		defer f.Close()
		w = f
	}
	cfg := workload.Config{Seed: *seed, Staff: *staff, Days: *days, Misuse: *misuse}
	if *depts != "" {
		cfg.Depts = strings.Split(*depts, ",")
	}
	bw := bufio.NewWriter(w)
	st, err := workload.Generate(cfg, bw)
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", *out, err)
	}
	b, _ := json.Marshal(st)
	fmt.Fprintln(stderr, string(b))
	return nil
}
