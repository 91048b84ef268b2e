package web

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"socle"
	"socle/http/httpx"
)

// journalRow is one entry as the page shows it.
type journalRow struct {
	Index                                       uint64
	Date, Agent, Organisation, Action, Purpose  string
	Allowed                                     bool
	Explanation, PersonRef, Categories, Request string
	Records                                     int
	BreakGlass                                  string
}

// journalRows turns hits into rows, with the names of the organisations
// and of the agents (as the privacy officer may read them; an agent the
// directory cannot name is shown as such, never by her identifier).
func (s *journalPages) journalRows(r *http.Request, hits []socle.AuditHit) []journalRow {
	agents := map[string]string{}
	if s.detection != nil {
		ids := make([]string, 0, len(hits))
		for _, h := range hits {
			ids = append(ids, h.Event.AgentID)
		}
		if named, err := s.detection.Names(r.Context(), httpx.ActorFrom(r.Context()), ids...); err == nil {
			agents = named
		}
	}
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
		agent := orDefault(agents[e.AgentID], labelUnknownAgent)
		if e.AgentID == "" {
			agent = ""
			if e.ClientID != "" {
				// The officer needs to know which system: its client id is
				// what the partner's administrators know it by.
				agent = labelPartnerSystem + " " + e.ClientID
			}
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
			Index: h.Index, Date: e.Time.In(httpx.JournalZone).Format("02/01/2006 15:04:05"), Agent: agent, Organisation: org,
			Action: action, Purpose: purpose, Allowed: e.Allowed, Explanation: e.Explanation, PersonRef: e.PersonRef,
			Categories: e.Categories, Request: e.RequestID, Records: e.Records, BreakGlass: e.BreakGlass,
		})
	}
	return rows
}

// handleJournalPage is the auditors' search page. It lets in agents signed
// in with a second factor; the gate then decides whether she is an auditor.
func handleJournalPage(s *journalPages) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		v := r.URL.Query()
		form := map[string]string{}
		for _, k := range []string{"personne", "agent", "structure", "finalite", "action", "du", "au"} {
			form[k] = v.Get(k)
		}
		data := &journalView{Form: form, Purposes: purposeOptions(s.gate, form["finalite"])}
		q, err := httpx.AuditQuery(r, [7]string{"personne", "agent", "structure", "finalite", "du", "au", "avant"})
		var hits []socle.AuditHit
		if err == nil {
			q.Limit = 50
			hits, err = s.gate.SearchAudit(r.Context(), httpx.SearchRequest(r), q)
		}
		if err != nil {
			if code := socle.ErrorCode(err); code != socle.EINVALID {
				s.renderError(w, r, err)
				return
			}
			data.Error = message(err)
			// A date the search could not read stands beside its field.
			for _, f := range []string{"du", "au"} {
				if strings.HasPrefix(socle.ErrorMessage(err), "parameter "+f+":") {
					data.Error, data.Errors = "", map[string]string{f: msgJournalDate}
				}
			}
			s.render(w, r, http.StatusBadRequest, "journal", view{Title: "Journal des accès", Nav: "journal", Data: data})
			return
		}
		data.Rows = s.journalRows(r, hits)
		if len(hits) == q.Limit && hits[len(hits)-1].Index > 0 {
			next := r.URL.Query()
			next.Set("avant", strconv.FormatUint(hits[len(hits)-1].Index, 10))
			data.Next = "/journal?" + next.Encode()
		}
		if s.audit != nil {
			data.Size = s.audit.Size()
		}
		s.render(w, r, http.StatusOK, "journal", view{Title: "Journal des accès", Nav: "journal", Data: data})
	})
}

// handleJournalEntryPage shows one entry with its proof of inclusion in
// the latest signed checkpoint. The entry is fetched through the gate's
// search (the newest entry below index+1 in the auditor's scope), so that
// the same rule decides and the consultation is recorded.
func handleJournalEntryPage(s *journalPages) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		index, err := strconv.ParseUint(r.PathValue("index"), 10, 64)
		if err != nil || index == 1<<64-1 {
			s.renderError(w, r, userErrorf(socle.ENOTFOUND, msgNoEntry))
			return
		}
		hits, err := s.gate.SearchAudit(r.Context(), httpx.SearchRequest(r), socle.AuditQuery{Before: index + 1, Limit: 1})
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		if len(hits) != 1 || hits[0].Index != index {
			s.renderError(w, r, userErrorf(socle.ENOTFOUND, msgEntryOutOfScope))
			return
		}
		data := &journalEntryView{Row: s.journalRows(r, hits)[0], Facts: hits[0].Event.Facts}
		if s.audit != nil {
			if cp, err := s.audit.Checkpoint(r.Context()); err == nil && index < cp.Size {
				proof, err := s.audit.InclusionProof(r.Context(), index, cp.Size)
				e, eerr := s.audit.Entry(r.Context(), index)
				if err == nil && eerr == nil {
					data.Checkpoint = string(cp.Note)
					data.TreeSize = cp.Size
					data.LeafHash = base64.StdEncoding.EncodeToString(e.LeafHash)
					var ps []string
					for _, p := range proof {
						ps = append(ps, base64.StdEncoding.EncodeToString(p))
					}
					data.Proof = ps
				}
			}
		}
		s.render(w, r, http.StatusOK, "journal-entree", view{Title: "Entrée " + strconv.FormatUint(index, 10) + " du journal", Nav: "journal", Data: data})
	})
}

// journalView is the auditors' search of the journal des accès.
type journalView struct {
	Form        map[string]string
	Purposes    []purposeOption
	Rows        []journalRow
	Error, Next string
	Size        uint64
	// Errors stand beside the fields they are about, by the field's id.
	Errors map[string]string
}

// journalEntryView is one entry of the journal with its proof of inclusion.
type journalEntryView struct {
	Row                  journalRow
	Facts                []socle.Fact
	Checkpoint, LeafHash string
	TreeSize             uint64
	Proof                []string
}
