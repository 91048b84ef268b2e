package httpx

import (
	"net/http"
	"strconv"
	"strings"

	"socle"
)

// Version ETags: a record the store versions (a person's file, a
// diagnostic) is tagged with its version, `"v3"`, instead of a hash of
// what the caller sees (etag.go), because its updates are checked by the
// store against that version, atomically, in every server of a cluster.
// Every versioned update reads its If-Match through IfMatchVersion, so
// that all of them answer alike: no If-Match is 428 (EPRECONDITION), a
// tag that names another version (or none of ours) is 412 (ESTALE).

// AnyVersion is the version IfMatchVersion returns for `If-Match: *`: the
// client says explicitly that it writes over whatever version is current.
const AnyVersion int64 = -1

// VersionETag returns the strong entity tag of a record at a version.
func VersionETag(version int64) string {
	return `"v` + strconv.FormatInt(version, 10) + `"`
}

// IfMatchVersion reads the version an update is made over from its
// If-Match header, which it requires: the ETag of the record as GET
// returned it, or "*" (AnyVersion). A missing header is EPRECONDITION; a
// tag that is no version ETag (a weak tag, a hash, a list) cannot match
// the current version, so it is ESTALE, as a version that changed since
// is refused by the store.
func IfMatchVersion(r *http.Request) (int64, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		return 0, socle.Errorf(socle.EPRECONDITION, "If-Match: required; send the ETag of the version you read (GET returns it)")
	}
	if h == "*" {
		return AnyVersion, nil
	}
	digits, ok := strings.CutPrefix(h, `"v`)
	if ok {
		digits, ok = strings.CutSuffix(digits, `"`)
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if !ok || err != nil || v < 0 || strconv.FormatInt(v, 10) != digits {
		return 0, socle.Errorf(socle.ESTALE, "If-Match: %.40q names no version of this resource; read it again and send the ETag GET returns, like \"v3\"", h)
	}
	return v, nil
}
