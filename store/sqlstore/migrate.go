package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"testing/fstest"
	"time"
)

// Migration is one numbered SQL file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

var migrationName = regexp.MustCompile(`^([0-9]+)_[A-Za-z0-9_\-]+\.sql$`)

// Migrations reads the numbered SQL files (0001_core.sql, 0002_….sql) at the
// root of fsys, sorted by number. Other files are ignored; two files with
// the same number are an error.
func Migrations(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("reading migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if e.IsDir() || m == nil {
			continue
		}
		v, err := strconv.Atoi(m[1])
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: version must be a positive number", e.Name())
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("reading migration %s: %w", e.Name(), err)
		}
		ms = append(ms, Migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s have the same version", ms[i-1].Name, ms[i].Name)
		}
	}
	return ms, nil
}

// sharedMigrations are the migrations written once for both engines: the
// same statements, where only some column types and defaults are spelled
// differently. A migration whose statements differ stays in each engine's
// own folder.
//
//go:embed migrations/*.sql
var sharedMigrations embed.FS

// placeholder is a word in braces, {timestamp}, that a shared migration
// uses where the engines spell a type or a value differently.
var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

// EngineMigrations returns an engine's migrations: the files of own and
// the shared ones, each {word} of these replaced by words[word]. The files
// are embedded at build time, so an unknown word or a number used twice is
// a mistake in the source, and it panics, as regexp.MustCompile does.
func EngineMigrations(own fs.FS, words map[string]string) fs.FS {
	shared, err := fs.Sub(sharedMigrations, "migrations")
	if err != nil {
		panic(fmt.Sprintf("reading shared migrations: %v", err))
	}
	all := fstest.MapFS{}
	add := func(src fs.FS, render func(name, sql string) string) {
		entries, err := fs.ReadDir(src, ".")
		if err != nil {
			panic(fmt.Sprintf("reading migrations: %v", err))
		}
		for _, e := range entries {
			b, err := fs.ReadFile(src, e.Name())
			if err != nil {
				panic(fmt.Sprintf("reading migration %s: %v", e.Name(), err))
			}
			if _, dup := all[e.Name()]; dup {
				panic(fmt.Sprintf("migration %s is both shared and the engine's own", e.Name()))
			}
			all[e.Name()] = &fstest.MapFile{Data: []byte(render(e.Name(), string(b)))}
		}
	}
	add(shared, func(name, sql string) string { return renderMigration(name, sql, words) })
	add(own, func(_, sql string) string { return sql })
	if _, err := Migrations(all); err != nil {
		panic(err)
	}
	return all
}

// renderMigration replaces each {word} of a shared migration by the
// engine's spelling.
func renderMigration(name, sql string, words map[string]string) string {
	return placeholder.ReplaceAllStringFunc(sql, func(m string) string {
		w, ok := words[m[1:len(m)-1]]
		if !ok {
			panic(fmt.Sprintf("migration %s: the engine has no spelling for %s", name, m))
		}
		return w
	})
}

// Migrate applies the migrations of fsys that db has not applied yet, in
// order, each in its own transaction together with its row in
// schema_migrations. It is forward-only and idempotent, and returns the
// versions it applied.
func Migrate(ctx context.Context, db *sql.DB, d Dialect, fsys fs.FS) ([]int, error) {
	ms, err := Migrations(fsys)
	if err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, d.MigrationsTable); err != nil {
		return nil, fmt.Errorf("creating schema_migrations: %w", err)
	}
	rb := &rebinder{numbered: d.Numbered}
	var applied []int
	for _, m := range ms {
		done, err := applyMigration(ctx, db, d, rb, m)
		if err != nil {
			return applied, err
		}
		if done {
			applied = append(applied, m.Version)
		}
	}
	return applied, nil
}

// applyMigration applies m unless already applied, and reports whether it did.
func applyMigration(ctx context.Context, db *sql.DB, d Dialect, rb *rebinder, m Migration) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migration %s: %w", m.Name, err)
	}
	defer tx.Rollback()
	if d.MigrationLock != "" {
		if _, err := tx.ExecContext(ctx, d.MigrationLock); err != nil {
			return false, fmt.Errorf("migration %s: locking: %w", m.Name, err)
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, rb.rebind(`SELECT count(*) FROM schema_migrations WHERE version = ?`), m.Version).Scan(&n); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, rb.rebind(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`), m.Version, time.Now().UTC()); err != nil {
		return false, fmt.Errorf("migration %s: recording: %w", m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migration %s: commit: %w", m.Name, err)
	}
	return true, nil
}
