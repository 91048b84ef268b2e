// Package openapitest checks JSON documents against the schemas of Socle's
// OpenAPI 3.1 document (JSON Schema 2020-12, as OpenAPI 3.1 uses it), for
// the tests of the examples and of the API's real answers.
package openapitest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// docURL is where the document is registered for the compiler; never
// fetched.
const docURL = "https://socle.invalid/openapi.json"

// Doc is a parsed OpenAPI document with its schemas compiled on demand.
type Doc struct {
	raw      map[string]any
	compiler *jsonschema.Compiler
}

// Media is one JSON body the document describes: a request body or the
// answer of one status of one operation.
type Media struct {
	Method, Path string
	// Status is "request" for the request body.
	Status string
	// Pointer locates the media type object in the document.
	Pointer string
	// Examples are the media type's example and the values of its examples.
	Examples []any
}

// Key names the media as the examples file does: "METHOD path status".
func (m Media) Key() string { return m.Method + " " + m.Path + " " + m.Status }

// Load parses the document.
func Load(doc []byte) (*Doc, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("parsing the OpenAPI document: %w", err)
	}
	raw, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the OpenAPI document is not an object")
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(docURL, v); err != nil {
		return nil, fmt.Errorf("registering the OpenAPI document: %w", err)
	}
	return &Doc{raw: raw, compiler: c}, nil
}

// Fetch loads the document a running server serves at url.
func Fetch(url string) (*Doc, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, fmt.Errorf("fetching the OpenAPI document: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching the OpenAPI document: %d %v", resp.StatusCode, err)
	}
	return Load(raw)
}

// JSONMedia lists every application/json body of every operation, in a
// stable order.
func (d *Doc) JSONMedia() []Media {
	var out []Media
	paths, _ := d.raw["paths"].(map[string]any)
	for path, ops := range paths {
		for method, op := range asMap(ops) {
			o := asMap(op)
			base := "/paths/" + escape(path) + "/" + method
			if m := asMap(asMap(asMap(o["requestBody"])["content"])["application/json"]); m != nil {
				out = append(out, media(strings.ToUpper(method), path, "request", base+"/requestBody/content/application~1json", m))
			}
			for status, resp := range asMap(o["responses"]) {
				if m := asMap(asMap(asMap(resp)["content"])["application/json"]); m != nil {
					out = append(out, media(strings.ToUpper(method), path, status, base+"/responses/"+status+"/content/application~1json", m))
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}

func media(method, path, status, ptr string, m map[string]any) Media {
	md := Media{Method: method, Path: path, Status: status, Pointer: ptr}
	if ex, ok := m["example"]; ok {
		md.Examples = append(md.Examples, ex)
	}
	for _, ex := range asMap(m["examples"]) {
		if v, ok := asMap(ex)["value"]; ok {
			md.Examples = append(md.Examples, v)
		}
	}
	return md
}

// Schema compiles the schema of the media at pointer.
func (d *Doc) Schema(m Media) (*jsonschema.Schema, error) {
	if asMap(d.at(m.Pointer))["schema"] == nil {
		return nil, fmt.Errorf("%s has no schema", m.Key())
	}
	sch, err := d.compiler.Compile(docURL + "#" + m.Pointer + "/schema")
	if err != nil {
		return nil, fmt.Errorf("%s: compiling its schema: %w", m.Key(), err)
	}
	return sch, nil
}

// ValidateBody checks the JSON body against the schema of the media the
// operation (method, path pattern) documents for status.
func (d *Doc) ValidateBody(method, path, status string, body []byte) error {
	ptr := "/paths/" + escape(path) + "/" + strings.ToLower(method) + "/responses/" + status + "/content/application~1json"
	if status == "request" {
		ptr = "/paths/" + escape(path) + "/" + strings.ToLower(method) + "/requestBody/content/application~1json"
	}
	if status != "request" {
		// A response may be a reference to a shared one (the errors).
		if ref, ok := asMap(d.at(strings.TrimSuffix(ptr, "/content/application~1json")))["$ref"].(string); ok && strings.HasPrefix(ref, "#/") {
			ptr = strings.TrimPrefix(ref, "#") + "/content/application~1json"
		}
	}
	if d.at(ptr) == nil {
		return fmt.Errorf("%s %s documents no JSON body for %s", method, path, status)
	}
	sch, err := d.Schema(Media{Method: method, Path: path, Status: status, Pointer: ptr})
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s %s %s: the body is not JSON: %w", method, path, status, err)
	}
	return sch.Validate(v)
}

// at returns the value at a JSON pointer of the document, or nil.
func (d *Doc) at(ptr string) any {
	var v any = d.raw
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		if v, ok = m[tok]; !ok {
			return nil
		}
	}
	return v
}

func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
