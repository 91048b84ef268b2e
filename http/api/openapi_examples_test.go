package api

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"socle/internal/openapitest"
)

// withoutExamples are the operations whose JSON bodies have no example,
// each with the reason. None now: an operation given an example must not
// be listed (the test says so), and a new operation comes with its
// example (http/api/openapi_examples.json).
var withoutExamples = map[string]string{}

// TestOpenAPIExamplesMatchTheirSchemas compiles the schema of every JSON
// body the document describes (JSON Schema 2020-12, formats asserted) and
// validates every example against it; every operation has an example,
// but those of withoutExamples.
func TestOpenAPIExamplesMatchTheirSchemas(t *testing.T) {
	doc, err := openapitest.Load(openAPIDocument)
	if err != nil {
		t.Fatal(err)
	}
	exampled, bodied := map[string]bool{}, map[string]bool{}
	for _, m := range doc.JSONMedia() {
		if _, err := doc.Schema(m); err != nil {
			t.Errorf("%v", err)
			continue
		}
		op := m.Method + " " + m.Path
		if !strings.HasPrefix(m.Status, "4") && !strings.HasPrefix(m.Status, "5") {
			bodied[op] = true
		}
		for i, ex := range m.Examples {
			exampled[op] = true
			// The example as the document carries it, re-read as the
			// validator reads a body.
			b, _ := json.Marshal(ex)
			if err := doc.ValidateBody(m.Method, m.Path, m.Status, b); err != nil {
				t.Errorf("%s example %d does not match its schema: %v", m.Key(), i, err)
			}
		}
	}
	var missing []string
	for op := range bodied {
		switch {
		case exampled[op] && withoutExamples[op] != "":
			t.Errorf("%s has an example now: remove it from withoutExamples", op)
		case !exampled[op] && withoutExamples[op] == "":
			missing = append(missing, op)
		}
	}
	sort.Strings(missing)
	for _, op := range missing {
		t.Errorf("%s has no example (http/api/openapi_examples.json)", op)
	}
	for op := range withoutExamples {
		if !bodied[op] {
			t.Errorf("withoutExamples names %s, which has no JSON body in the document", op)
		}
	}
}

// TestExamplesNameDocumentedBodies: an example keyed to no operation, or
// to a body without JSON content, is refused when the document is built.
func TestExamplesNameDocumentedBodies(t *testing.T) {
	for _, tt := range []struct{ examples, want string }{
		{`{"GET /api/v1/nope 200": {}}`, "names no operation"},
		{`{"GET /api/v1/persons/{id} 418": {}}`, "no application/json content"},
		{`{"GET /api/v1/persons/{id}": {}}`, "is not"},
		{`{"GET /api/v1/persons/{id} 200": {}}`, ""},
	} {
		_, err := withExamples(openAPISource, []byte(tt.examples))
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: %v, want %q", tt.examples, err, tt.want)
		}
	}
}
