package audit_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// constructors are the only functions, by file, allowed to spell a
// socle.AuditEvent with fields: Event builds every new event, and
// DecodeLeaf rebuilds a stored one (and checks it is canonical).
var constructors = map[string]string{
	"audit/event.go":    "Event",
	"audit/encoding.go": "DecodeLeaf",
}

// TestEveryEventIsBuiltByEvent parses every non-test Go file of the module
// and fails on a socle.AuditEvent composite literal with fields outside the
// constructors: a service that builds its own event skips Event's checks
// (time in UTC, text in UTF-8). The empty literal, a zero value returned
// with an error, is no event.
func TestEveryEventIsBuiltByEvent(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found above audit/: %v", err)
	}
	fset := token.NewFileSet()
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		for _, lit := range eventLiterals(f) {
			if fn := enclosingFunc(f, lit); fn != constructors[filepath.ToSlash(rel)] || fn == "" {
				t.Errorf("%s: a socle.AuditEvent is built by hand in %s; build it with audit.Event (or audit.Append)", fset.Position(lit.Pos()), fn)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("parsed %d files: the module was not found", files)
	}
}

// eventLiterals returns the composite literals of f, with at least one
// element, whose type is socle.AuditEvent (AuditEvent in package socle),
// including the elided ones of a []socle.AuditEvent{{…}}.
func eventLiterals(f *ast.File) []*ast.CompositeLit {
	socleName := ""
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == "socle" {
			socleName = "socle"
			if imp.Name != nil {
				socleName = imp.Name.Name
			}
		}
	}
	isEvent := func(e ast.Expr) bool {
		switch e := e.(type) {
		case *ast.SelectorExpr:
			x, ok := e.X.(*ast.Ident)
			return ok && socleName != "" && x.Name == socleName && e.Sel.Name == "AuditEvent"
		case *ast.Ident:
			return f.Name.Name == "socle" && e.Name == "AuditEvent"
		}
		return false
	}
	var out []*ast.CompositeLit
	ast.Inspect(f, func(n ast.Node) bool {
		lit, ok := n.(*ast.CompositeLit)
		if !ok {
			return true
		}
		if isEvent(lit.Type) && len(lit.Elts) > 0 {
			out = append(out, lit)
		}
		var elem ast.Expr
		switch t := lit.Type.(type) {
		case *ast.ArrayType:
			elem = t.Elt
		case *ast.MapType:
			elem = t.Value
		}
		if elem != nil {
			if s, ok := elem.(*ast.StarExpr); ok {
				elem = s.X
			}
			if isEvent(elem) {
				for _, e := range lit.Elts {
					if kv, ok := e.(*ast.KeyValueExpr); ok {
						e = kv.Value
					}
					if u, ok := e.(*ast.UnaryExpr); ok {
						e = u.X
					}
					if inner, ok := e.(*ast.CompositeLit); ok && inner.Type == nil && len(inner.Elts) > 0 {
						out = append(out, inner)
					}
				}
			}
		}
		return true
	})
	return out
}

// enclosingFunc names the top-level function of f around n ("" outside).
func enclosingFunc(f *ast.File, n ast.Node) string {
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Pos() <= n.Pos() && n.End() <= fd.End() {
			return fd.Name.Name
		}
	}
	return ""
}
