package sqlstore_test

import (
	"go/build"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsOnlyTheDomain keeps the store a pure persistence layer: the
// records it saves are declared in the root package, so that it imports
// socle and seal and no service package (which would let a service's
// behaviour reach the store, and the store reach past the gate).
func TestImportsOnlyTheDomain(t *testing.T) {
	pkg, err := build.Default.ImportDir(".", 0)
	if err != nil {
		t.Fatalf("reading the package: %v", err)
	}
	allowed := map[string]bool{"socle": true, "socle/seal": true}
	fset := token.NewFileSet()
	for _, name := range pkg.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(pkg.Dir, name), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatalf("parsing %s: %v", name, err)
		}
		for _, spec := range f.Imports {
			path, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				t.Fatalf("%s: import %s: %v", name, spec.Path.Value, err)
			}
			if path != "socle" && !strings.HasPrefix(path, "socle/") || allowed[path] {
				continue
			}
			t.Errorf("%s imports %s: store/sqlstore may import only socle and socle/seal; declare the record in the root package", name, path)
		}
	}
}
