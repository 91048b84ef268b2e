package sqlstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"socle/store/sqlite"
	"socle/store/sqlstore"
)

func TestRebind(t *testing.T) {
	tests := []struct{ in, want string }{
		{`SELECT a FROM t WHERE id = ?`, `SELECT a FROM t WHERE id = $1`},
		{`INSERT INTO t (a, b) VALUES (?, ?), (?, ?)`, `INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)`},
		{`SELECT '?' FROM "we?ird" WHERE a = ? AND b = '' AND c = ?`, `SELECT '?' FROM "we?ird" WHERE a = $1 AND b = '' AND c = $2`},
		{`SELECT 1`, `SELECT 1`},
	}
	for _, tt := range tests {
		if got := sqlstore.Rebind(tt.in); got != tt.want {
			t.Errorf("Rebind(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Lefèvre", "lefevre"},
		{"ÉLODIE", "elodie"},
		{"Jean-Pierre", "jean pierre"},
		{"  d'Alembert  ", "d alembert"},
		{"Œuvrard", "oeuvrard"},
		{"Nguyễn", "nguyen"},
		{"Müller  Straße", "muller strasse"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := sqlstore.NormalizeName(tt.in); got != tt.want {
			t.Errorf("NormalizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMigrations(t *testing.T) {
	fsys := fstest.MapFS{
		"0010_ten.sql":   {Data: []byte(`CREATE TABLE ten (x INTEGER);`)},
		"0002_two.sql":   {Data: []byte(`CREATE TABLE two (x INTEGER); INSERT INTO two VALUES (2);`)},
		"0001_one.sql":   {Data: []byte(`CREATE TABLE one (x INTEGER);`)},
		"README.md":      {Data: []byte(`not a migration`)},
		"9_nine.sql.bak": {Data: []byte(`not a migration either`)},
	}
	ms, err := sqlstore.Migrations(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var versions []int
	for _, m := range ms {
		versions = append(versions, m.Version)
	}
	if !slices.Equal(versions, []int{1, 2, 10}) {
		t.Errorf("versions = %v, want [1 2 10] in numeric order", versions)
	}

	fsys["0002_again.sql"] = &fstest.MapFile{Data: []byte(`SELECT 1;`)}
	if _, err := sqlstore.Migrations(fsys); err == nil {
		t.Error("two migrations numbered 2 were accepted")
	}
	delete(fsys, "0002_again.sql")
}

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", filepath.Join(t.TempDir(), "m.db")+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	fsys := fstest.MapFS{
		"0001_one.sql": {Data: []byte(`CREATE TABLE one (x INTEGER);`)},
	}
	applied, err := sqlstore.Migrate(ctx, db, sqlite.Dialect, fsys)
	if err != nil || !slices.Equal(applied, []int{1}) {
		t.Fatalf("first Migrate = %v, %v; want [1]", applied, err)
	}

	// A later release adds migrations: only those run, in order.
	fsys["0003_three.sql"] = &fstest.MapFile{Data: []byte(`INSERT INTO two VALUES (3);`)}
	fsys["0002_two.sql"] = &fstest.MapFile{Data: []byte(`CREATE TABLE two (x INTEGER);`)}
	applied, err = sqlstore.Migrate(ctx, db, sqlite.Dialect, fsys)
	if err != nil || !slices.Equal(applied, []int{2, 3}) {
		t.Fatalf("second Migrate = %v, %v; want [2 3]", applied, err)
	}

	// A failing migration leaves nothing of itself and is not recorded.
	fsys["0004_bad.sql"] = &fstest.MapFile{Data: []byte(`CREATE TABLE four (x INTEGER); INSERT INTO nowhere VALUES (1);`)}
	if _, err := sqlstore.Migrate(ctx, db, sqlite.Dialect, fsys); err == nil {
		t.Fatal("a failing migration reported success")
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'four'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the failed migration left its table (count %d, %v)", n, err)
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != 3 {
		t.Errorf("schema_migrations holds %d rows, %v; want 3", n, err)
	}

	fsys["0004_bad.sql"] = &fstest.MapFile{Data: []byte(`CREATE TABLE four (x INTEGER);`)}
	applied, err = sqlstore.Migrate(ctx, db, sqlite.Dialect, fsys)
	if err != nil || !slices.Equal(applied, []int{4}) {
		t.Fatalf("Migrate after the fix = %v, %v; want [4]", applied, err)
	}
	applied, err = sqlstore.Migrate(ctx, db, sqlite.Dialect, fsys)
	if err != nil || len(applied) != 0 {
		t.Fatalf("Migrate when up to date = %v, %v; want nothing", applied, err)
	}
}

// TestEngineMigrationsSpellEachWord checks that the shared migrations come
// out in the engine's words beside its own files, and that a word the
// engine does not spell, or a file both shared and the engine's own, is
// refused rather than applied half-rendered.
func TestEngineMigrationsSpellEachWord(t *testing.T) {
	own := fstest.MapFS{"0005_own.sql": {Data: []byte("CREATE TABLE own (a {json});")}}
	words := map[string]string{
		"timestamp": "TS", "date": "D", "json": "J", "c_collation": "", "bytes": "B",
		"bigint": "BI", "double": "R", "flag": "F", "false": "0", "serial_key": "SK", "strpos": "P",
	}
	fsys := sqlstore.EngineMigrations(own, words)
	ms, err := sqlstore.Migrations(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var core, ownSQL string
	for _, m := range ms {
		switch m.Version {
		case 1:
			core = m.SQL
		case 5:
			ownSQL = m.SQL
		}
	}
	if !strings.Contains(core, "created_at  TS NOT NULL") || strings.Contains(core, "{") {
		t.Errorf("0001 not rendered in the engine's words:\n%s", core)
	}
	if ownSQL != "CREATE TABLE own (a {json});" {
		t.Errorf("the engine's own migration = %q, want it as written", ownSQL)
	}

	tests := []struct {
		name  string
		own   fstest.MapFS
		words map[string]string
	}{
		{"a word the engine does not spell", fstest.MapFS{}, map[string]string{"timestamp": "TS"}},
		{"a file both shared and own", fstest.MapFS{"0001_core.sql": {Data: []byte("SELECT 1;")}}, words},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("EngineMigrations accepted it")
				}
			}()
			sqlstore.EngineMigrations(tt.own, tt.words)
		})
	}
}
