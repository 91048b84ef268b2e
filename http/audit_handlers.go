package http

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"socle"
	"socle/audit"
	"socle/gate"
)

// auditRoutes registers the journal des accès: the auditors' search (API
// and page, through the gate), and the public checkpoint, proofs and
// verifier key, which carry no personal data and let anyone check that the
// log is append-only.
func auditRoutes(s *Server) {
	s.handle("GET /api/v1/audit/entries", handleAuditEntries(s))
	s.handle("GET /api/v1/audit/checkpoint", handleAuditCheckpoint(s))
	s.handle("GET /api/v1/audit/proofs/inclusion", handleInclusionProof(s))
	s.handle("GET /api/v1/audit/proofs/consistency", handleConsistencyProof(s))
	s.handle("GET /.well-known/socle-audit-key", handleAuditKey(s))
	s.handle("GET /journal", handleJournalPage(s))
	s.handle("GET /journal/{index}", handleJournalEntryPage(s))
}

// searchRequest is the gate request of an auditor's search. The purpose
// query parameter is a filter of the search here, not a declared purpose.
func searchRequest(r *http.Request) gate.Request {
	return gate.Request{
		Actor: ActorFrom(r.Context()), Purpose: strings.TrimSpace(r.Header.Get("X-Purpose")),
		RequestID: RequestID(r.Context()), RemoteAddr: remoteAddr(r),
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// auditQuery reads the search criteria from the query string, with the
// parameter names of the API (names) or of the French page.
func auditQuery(r *http.Request, names [7]string) (socle.AuditQuery, error) {
	v := r.URL.Query()
	q := socle.AuditQuery{
		PersonRef: strings.TrimSpace(v.Get(names[0])), AgentID: strings.TrimSpace(v.Get(names[1])),
		OrganisationID: strings.TrimSpace(v.Get(names[2])), Purpose: strings.TrimSpace(v.Get(names[3])),
		Action: strings.TrimSpace(v.Get("action")),
	}
	var err error
	if q.From, err = timeParam(v.Get(names[4]), names[4], false); err != nil {
		return q, err
	}
	if q.To, err = timeParam(v.Get(names[5]), names[5], true); err != nil {
		return q, err
	}
	if b := v.Get(names[6]); b != "" {
		if q.Before, err = strconv.ParseUint(b, 10, 64); err != nil {
			return q, socle.Errorf(socle.EINVALID, "parameter %s: an entry index (non-negative integer)", names[6])
		}
	}
	if q.Limit, err = intParam(r, "limit", 50, 1, 500); err != nil {
		return q, err
	}
	return q, nil
}

// timeParam reads an RFC 3339 time or a date (AAAA-MM-JJ, a day in Paris).
// A date as an upper bound includes the whole day.
func timeParam(s, name string, upper bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := time.ParseInLocation("2006-01-02", s, journalZone)
	if err != nil {
		return time.Time{}, socle.Errorf(socle.EINVALID, "parameter %s: a date (2006-01-02) or an RFC 3339 time", name)
	}
	if upper {
		d = d.AddDate(0, 0, 1)
	}
	return d, nil
}

// journalZone is the time zone in which the pages show and read dates.
var journalZone = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.UTC
}()

// auditEntriesPage is the answer of GET /api/v1/audit/entries.
type auditEntriesPage struct {
	Items []socle.AuditHit `json:"items"`
	Limit int              `json:"limit"`
	// NextBefore, when set, is the before parameter of the next page.
	NextBefore uint64 `json:"next_before,omitempty"`
}

func handleAuditEntries(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, err := auditQuery(r, [7]string{"person", "agent", "organisation", "purpose", "from", "to", "before"})
		if err != nil {
			writeError(w, r, err)
			return
		}
		hits, err := s.gate.SearchAudit(r.Context(), searchRequest(r), q)
		if err != nil {
			writeError(w, r, err)
			return
		}
		p := auditEntriesPage{Items: hits, Limit: q.Limit}
		if len(hits) == q.Limit && hits[len(hits)-1].Index > 0 {
			p.NextBefore = hits[len(hits)-1].Index
		}
		encode(w, http.StatusOK, p)
	})
}

// auditLog returns the log, or answers 503 when the server has none.
func auditLog(s *Server, w http.ResponseWriter, r *http.Request) (*audit.Log, bool) {
	if s.audit == nil {
		writeError(w, r, socle.Errorf(socle.EUNAVAILABLE, "the audit log is not served here"))
		return nil, false
	}
	return s.audit, true
}

func handleAuditCheckpoint(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l, ok := auditLog(s, w, r)
		if !ok {
			return
		}
		cp, err := l.Checkpoint(r.Context())
		if err != nil {
			writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(cp.Note)
	})
}

func handleAuditKey(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.auditKey == "" {
			writeError(w, r, socle.Errorf(socle.EUNAVAILABLE, "the audit log is not served here"))
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write([]byte(s.auditKey + "\n"))
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

// proofResponse is an RFC 6962 proof: the node hashes in base64 (JSON
// encodes []byte so), to check with the leaf hash and the roots of the
// signed checkpoints.
type proofResponse struct {
	Index    *uint64  `json:"index,omitempty"`
	TreeSize uint64   `json:"tree_size,omitempty"`
	From     *uint64  `json:"from,omitempty"`
	To       uint64   `json:"to,omitempty"`
	LeafHash []byte   `json:"leaf_hash,omitempty"`
	Hashes   [][]byte `json:"hashes"`
}

func handleInclusionProof(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l, ok := auditLog(s, w, r)
		if !ok {
			return
		}
		index, err := uintParam(r, "index", nil)
		if err != nil {
			writeError(w, r, err)
			return
		}
		size, err := treeSize(r, l, "size")
		if err != nil {
			writeError(w, r, err)
			return
		}
		if index >= size {
			writeError(w, r, socle.Errorf(socle.EINVALID, "parameter index: %d is not below the tree size %d", index, size))
			return
		}
		proof, err := l.InclusionProof(r.Context(), index, size)
		if err != nil {
			writeError(w, r, err)
			return
		}
		e, err := l.Entry(r.Context(), index)
		respond(w, r, http.StatusOK, proofResponse{Index: &index, TreeSize: size, LeafHash: e.LeafHash, Hashes: nonNil(proof)}, err)
	})
}

func handleConsistencyProof(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l, ok := auditLog(s, w, r)
		if !ok {
			return
		}
		from, err := uintParam(r, "from", nil)
		if err != nil {
			writeError(w, r, err)
			return
		}
		to, err := treeSize(r, l, "to")
		if err != nil {
			writeError(w, r, err)
			return
		}
		if from > to {
			writeError(w, r, socle.Errorf(socle.EINVALID, "parameter from: %d is larger than to (%d)", from, to))
			return
		}
		proof, err := l.ConsistencyProof(r.Context(), from, to)
		respond(w, r, http.StatusOK, proofResponse{From: &from, To: to, Hashes: nonNil(proof)}, err)
	})
}

func nonNil(p [][]byte) [][]byte {
	if p == nil {
		return [][]byte{}
	}
	return p
}

// journalRow is one entry as the page shows it.
type journalRow struct {
	Index                                       uint64
	Date, Agent, Organisation, Action, Purpose  string
	Allowed                                     bool
	Explanation, PersonRef, Categories, Request string
	Records                                     int
	BreakGlass                                  string
}

var actionLabels = map[string]string{
	"read": "Consultation", "search": "Recherche", "create": "Création", "update": "Modification",
	"export": "Export", "audit_search": "Recherche dans le journal", "self_read": "Consultation de son dossier",
	"self_history": "Consultation de son journal",
}

// journalRows turns hits into rows, with the names of the organisations.
func (s *Server) journalRows(r *http.Request, hits []socle.AuditHit) []journalRow {
	names := map[string]string{}
	purposes := map[string]string{}
	for _, p := range s.gate.Purposes() {
		purposes[p.Code] = p.Label
	}
	rows := make([]journalRow, 0, len(hits))
	for _, h := range hits {
		e := h.Event
		org, ok := names[e.OrganisationID]
		if !ok && e.OrganisationID != "" {
			org = e.OrganisationID
			if o, err := s.dir.Organisation(r.Context(), e.OrganisationID); err == nil {
				org = o.Name
			}
			names[e.OrganisationID] = org
		}
		agent := e.AgentID
		if agent == "" && e.ClientID != "" {
			agent = "Système partenaire " + e.ClientID
		}
		action := actionLabels[e.Action]
		if action == "" {
			action = e.Action
		}
		purpose := purposes[e.Purpose]
		if purpose == "" {
			purpose = e.Purpose
		}
		rows = append(rows, journalRow{
			Index: h.Index, Date: e.Time.In(journalZone).Format("02/01/2006 15:04:05"), Agent: agent, Organisation: org,
			Action: action, Purpose: purpose, Allowed: e.Allowed, Explanation: e.Explanation, PersonRef: e.PersonRef,
			Categories: e.Categories, Request: e.RequestID, Records: e.Records, BreakGlass: e.BreakGlass,
		})
	}
	return rows
}

// handleJournalPage is the auditors' search page. It lets in agents signed
// in with a second factor; the gate then decides whether she is an auditor.
func handleJournalPage(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := staffOnly(w, r); !ok {
			return
		}
		v := r.URL.Query()
		form := map[string]string{}
		for _, k := range []string{"personne", "agent", "structure", "finalite", "action", "du", "au"} {
			form[k] = v.Get(k)
		}
		data := map[string]any{"Form": form, "Purposes": purposeOptions(s.gate, form["finalite"])}
		q, err := auditQuery(r, [7]string{"personne", "agent", "structure", "finalite", "du", "au", "avant"})
		var hits []socle.AuditHit
		if err == nil {
			q.Limit = 50
			hits, err = s.gate.SearchAudit(r.Context(), searchRequest(r), q)
		}
		if err != nil {
			if code := socle.ErrorCode(err); code != socle.EINVALID {
				s.renderError(w, r, err)
				return
			}
			data["Error"] = socle.ErrorMessage(err)
			s.render(w, r, http.StatusBadRequest, "journal", view{Title: "Journal des accès", Nav: "journal", Data: data})
			return
		}
		data["Rows"] = s.journalRows(r, hits)
		if len(hits) == q.Limit && hits[len(hits)-1].Index > 0 {
			next := r.URL.Query()
			next.Set("avant", strconv.FormatUint(hits[len(hits)-1].Index, 10))
			data["Next"] = "/journal?" + next.Encode()
		}
		if s.audit != nil {
			data["Size"] = s.audit.Size()
		}
		s.render(w, r, http.StatusOK, "journal", view{Title: "Journal des accès", Nav: "journal", Data: data})
	})
}

// handleJournalEntryPage shows one entry with its proof of inclusion in
// the latest signed checkpoint. The entry is fetched through the gate's
// search (the newest entry below index+1 in the auditor's scope), so that
// the same rule decides and the consultation is recorded.
func handleJournalEntryPage(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := staffOnly(w, r); !ok {
			return
		}
		index, err := strconv.ParseUint(r.PathValue("index"), 10, 64)
		if err != nil || index == 1<<64-1 {
			s.renderError(w, r, socle.Errorf(socle.ENOTFOUND, "Cette entrée n'existe pas."))
			return
		}
		hits, err := s.gate.SearchAudit(r.Context(), searchRequest(r), socle.AuditQuery{Before: index + 1, Limit: 1})
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		if len(hits) != 1 || hits[0].Index != index {
			s.renderError(w, r, socle.Errorf(socle.ENOTFOUND, "Cette entrée n'existe pas ou n'est pas dans votre périmètre."))
			return
		}
		data := map[string]any{"Row": s.journalRows(r, hits)[0], "Facts": hits[0].Event.Facts}
		if s.audit != nil {
			if cp, err := s.audit.Checkpoint(r.Context()); err == nil && index < cp.Size {
				proof, err := s.audit.InclusionProof(r.Context(), index, cp.Size)
				e, eerr := s.audit.Entry(r.Context(), index)
				if err == nil && eerr == nil {
					data["Checkpoint"] = string(cp.Note)
					data["TreeSize"] = cp.Size
					data["LeafHash"] = b64(e.LeafHash)
					var ps []string
					for _, p := range proof {
						ps = append(ps, b64(p))
					}
					data["Proof"] = ps
				}
			}
		}
		s.render(w, r, http.StatusOK, "journal-entree", view{Title: "Entrée " + strconv.FormatUint(index, 10) + " du journal", Nav: "journal", Data: data})
	})
}
