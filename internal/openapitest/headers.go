package openapitest

import (
	"sort"
	"strings"
)

// RequiredHeaders returns the headers the document marks required
// ("required": true) on the answer of status to method path, sorted:
// those an answer must carry. A header sent only in some cases (an ETag
// when a correction was applied) is documented without required.
func (d *Doc) RequiredHeaders(method, path, status string) []string {
	ptr := "/paths/" + escape(path) + "/" + strings.ToLower(method) + "/responses/" + status
	resp := asMap(d.at(ptr))
	if ref, ok := resp["$ref"].(string); ok && strings.HasPrefix(ref, "#/") {
		resp = asMap(d.at(strings.TrimPrefix(ref, "#")))
	}
	var names []string
	for name, h := range asMap(resp["headers"]) {
		if required, _ := asMap(h)["required"].(bool); required {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}
