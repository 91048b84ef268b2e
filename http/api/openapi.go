package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// openAPISource is the OpenAPI 3.1 description of the API, kept by hand
// beside the routes; a test checks that every API route is described.
//
//go:embed openapi.json
var openAPISource []byte

// openAPIExamples are the examples of the document, kept apart so that a
// route's description and its examples can be edited (and merged) on their
// own: an object whose keys name a media type of the document, "METHOD
// path request" or "METHOD path STATUS", and whose values are the example.
// Tests validate each against its schema.
//
//go:embed openapi_examples.json
var openAPIExamples []byte

// openAPIDocument is the document served: the source with its examples.
var openAPIDocument = mustDocument(openAPISource, openAPIExamples)

func mustDocument(source, examples []byte) []byte {
	doc, err := withExamples(source, examples)
	if err != nil {
		panic("api: " + err.Error())
	}
	return doc
}

// withExamples sets each example on the media type its key names.
func withExamples(source, examples []byte) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(source, &doc); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	var exs map[string]json.RawMessage
	if err := json.Unmarshal(examples, &exs); err != nil {
		return nil, fmt.Errorf("openapi_examples.json: %w", err)
	}
	paths, _ := doc["paths"].(map[string]any)
	for key, ex := range exs {
		fields := strings.Fields(key)
		if len(fields) != 3 {
			return nil, fmt.Errorf("openapi_examples.json: key %q is not \"METHOD path request|STATUS\"", key)
		}
		op, _ := asMap(paths[fields[1]])[strings.ToLower(fields[0])].(map[string]any)
		if op == nil {
			return nil, fmt.Errorf("openapi_examples.json: %q names no operation of openapi.json", key)
		}
		var holder map[string]any
		if fields[2] == "request" {
			holder = asMap(op["requestBody"])
		} else {
			holder = asMap(asMap(op["responses"])[fields[2]])
		}
		media := asMap(asMap(holder["content"])["application/json"])
		if media == nil {
			return nil, fmt.Errorf("openapi_examples.json: %q names no application/json content", key)
		}
		var v any
		if err := json.Unmarshal(ex, &v); err != nil {
			return nil, fmt.Errorf("openapi_examples.json: %q: %w", key, err)
		}
		media["example"] = v
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	return append(out, '\n'), nil
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func handleOpenAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(openAPIDocument)
	})
}
