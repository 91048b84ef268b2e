package api

import (
	"encoding/base64"
	"net/http"
	"strconv"

	"socle"
	"socle/audit"
	"socle/gate"
	"socle/http/httpx"
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// auditEntriesPage is the answer of GET /api/v1/audit/entries.
type auditEntriesPage struct {
	Items []socle.AuditHit `json:"items"`
	Limit int              `json:"limit"`
	// NextBefore, when set, is the before parameter of the next page.
	NextBefore uint64 `json:"next_before,omitempty"`
}

func handleAuditEntries(g *gate.Gate) http.Handler {
	return httpx.Read(func(r *http.Request) (auditEntriesPage, error) {
		q, err := httpx.AuditQuery(r, [7]string{"person", "agent", "organisation", "purpose", "from", "to", "before"})
		if err != nil {
			return auditEntriesPage{}, err
		}
		hits, err := g.SearchAudit(r.Context(), httpx.SearchRequest(r), q)
		if err != nil {
			return auditEntriesPage{}, err
		}
		p := auditEntriesPage{Items: hits, Limit: q.Limit}
		if len(hits) == q.Limit && hits[len(hits)-1].Index > 0 {
			p.NextBefore = hits[len(hits)-1].Index
		}
		return p, nil
	})
}

// auditLog returns the log, or answers 503 when the server has none.
func handleAuditCheckpoint(l *audit.Log) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cp, err := l.Checkpoint(r.Context())
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(cp.Note)
	})
}

func handleAuditKey(key string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if key == "" {
			httpx.WriteError(w, r, socle.Errorf(socle.EUNAVAILABLE, "the audit log is not served here"))
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write([]byte(key + "\n"))
	})
}

// uintParam reads a required non-negative integer query parameter, or its
// default when def is not nil and the parameter is absent.
func uintParam(r *http.Request, name string, def *uint64) (uint64, error) {
	v := r.URL.Query().Get(name)
	if v == "" && def != nil {
		return *def, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, socle.Errorf(socle.EINVALID, "parameter %s: a non-negative integer is required", name)
	}
	return n, nil
}

// treeSize reads the tree size parameter name (the latest checkpoint's size
// when absent) and checks that the log holds that many entries.
func treeSize(r *http.Request, l *audit.Log, name string) (uint64, error) {
	cp, err := l.Checkpoint(r.Context())
	if err != nil {
		return 0, err
	}
	size, err := uintParam(r, name, &cp.Size)
	if err != nil {
		return 0, err
	}
	if size > l.Size() {
		return 0, socle.Errorf(socle.EINVALID, "parameter %s: %d is larger than the log (%d entries)", name, size, l.Size())
	}
	return size, nil
}

// Proof is an RFC 6962 proof as the proof routes answer it: the node
// hashes in base64 (JSON encodes []byte so), to check with the leaf hash
// and the roots of the signed checkpoints.
type Proof struct {
	Index    *uint64  `json:"index,omitempty"`
	TreeSize uint64   `json:"tree_size,omitempty"`
	From     *uint64  `json:"from,omitempty"`
	To       uint64   `json:"to,omitempty"`
	LeafHash []byte   `json:"leaf_hash,omitempty"`
	Hashes   [][]byte `json:"hashes"`
}

func handleInclusionProof(l *audit.Log) http.Handler {
	return httpx.Read(func(r *http.Request) (Proof, error) {
		index, err := uintParam(r, "index", nil)
		if err != nil {
			return Proof{}, err
		}
		size, err := treeSize(r, l, "size")
		if err != nil {
			return Proof{}, err
		}
		if index >= size {
			return Proof{}, socle.Errorf(socle.EINVALID, "parameter index: %d is not below the tree size %d", index, size)
		}
		proof, err := l.InclusionProof(r.Context(), index, size)
		if err != nil {
			return Proof{}, err
		}
		e, err := l.Entry(r.Context(), index)
		return Proof{Index: &index, TreeSize: size, LeafHash: e.LeafHash, Hashes: httpx.NonNil(proof)}, err
	})
}

func handleConsistencyProof(l *audit.Log) http.Handler {
	return httpx.Read(func(r *http.Request) (Proof, error) {
		from, err := uintParam(r, "from", nil)
		if err != nil {
			return Proof{}, err
		}
		to, err := treeSize(r, l, "to")
		if err != nil {
			return Proof{}, err
		}
		if from > to {
			return Proof{}, socle.Errorf(socle.EINVALID, "parameter from: %d is larger than to (%d)", from, to)
		}
		proof, err := l.ConsistencyProof(r.Context(), from, to)
		return Proof{From: &from, To: to, Hashes: httpx.NonNil(proof)}, err
	})
}
