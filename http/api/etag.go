package api

import (
	"net/http"
	"strconv"
	"strings"

	"socle"
)

// versionETag is the strong entity tag of a record at a version: `"v3"`.
func versionETag(version int64) string {
	return `"v` + strconv.FormatInt(version, 10) + `"`
}

// ifMatchVersion reads the If-Match header an update requires, so that a
// client never overwrites a change it has not read (optimistic
// concurrency). It returns the version the client read, or 0 for "*"
// (whatever the current version: the client says so explicitly). A
// missing header is EPRECONDITION (428), whoever the caller; a header
// that is no ETag of ours is EINVALID. A version that no longer matches
// is refused later, by the store, with ESTALE (412).
func ifMatchVersion(r *http.Request) (int64, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	switch {
	case h == "":
		return 0, socle.Errorf(socle.EPRECONDITION, "If-Match: required; send the ETag of the version you read (GET returns it)")
	case h == "*":
		return 0, nil
	}
	if !strings.HasPrefix(h, `"v`) || !strings.HasSuffix(h, `"`) || len(h) < 4 {
		return 0, socle.Errorf(socle.EINVALID, `If-Match: one strong ETag as returned by GET, like "v3"`)
	}
	v, err := strconv.ParseInt(h[2:len(h)-1], 10, 64)
	if err != nil || v < 1 {
		return 0, socle.Errorf(socle.EINVALID, `If-Match: one strong ETag as returned by GET, like "v3"`)
	}
	return v, nil
}
