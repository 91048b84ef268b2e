package http

import (
	"net/http"
	"strings"
	"time"

	"socle"
	"socle/commitment"
	"socle/gate"
	"socle/indicators"
	"socle/orientation"
)

// parcoursRoutes registers the orientation, contract, event and indicator
// routes. Without a parcours gate they answer 503.
func parcoursRoutes(s *Server) {
	for _, rt := range parcoursAPI {
		h := http.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeError(w, r, socle.Errorf(socle.EUNAVAILABLE, "the parcours service is not configured"))
		}))
		if s.parcours != nil {
			h = rt.handler(s.parcours)
		}
		s.handle(rt.pattern, h)
	}
	s.handle("GET /parcours/contrat.css", handleContractCSS())
}

// parcoursAPI are the routes of the parcours service; without the service
// they answer 503, so that the surface stays the one documented.
var parcoursAPI = []struct {
	pattern string
	handler func(*gate.Parcours) http.Handler
}{
	{"GET /api/v1/orientation/questionnaire", handleQuestionnaire},
	{"POST /api/v1/persons/{id}/orientations", handleProposeOrientation},
	{"GET /api/v1/persons/{id}/orientations", handleOrientations},
	{"POST /api/v1/orientations/{id}/confirm", handleConfirmOrientation},
	{"POST /api/v1/persons/{id}/events", handleCreateEvent},
	{"GET /api/v1/persons/{id}/events", handleEvents},
	{"GET /api/v1/agenda", handleAgenda},
	{"POST /api/v1/persons/{id}/commitments", handleCreateCommitment},
	{"GET /api/v1/commitments/{id}", handleCommitment},
	{"POST /api/v1/commitments/{id}/signatures", handleSignAsAdviser},
	{"POST /api/v1/commitments/{id}/signing-link", handleSigningLink},
	{"POST /api/v1/signing/{token}", handleSignWithLink},
	{"GET /api/v1/indicators", handleIndicators},
	{"GET /contrats/{id}/imprimer", handlePrintCommitment},
}

// commitmentView is a contract as the API returns it: its verification too.
type commitmentView struct {
	*socle.Commitment
	Document     commitment.Document `json:"document"`
	Verification []string            `json:"verification"`
	Verified     bool                `json:"verified"`
}

func viewCommitment(p *gate.Parcours, c *socle.Commitment) (commitmentView, error) {
	v := commitmentView{Commitment: c}
	d, err := commitment.Parse(c.Document)
	if err != nil {
		return v, err
	}
	v.Document = d
	lines, err := p.Verify(c)
	v.Verification, v.Verified = lines, err == nil
	if err != nil {
		v.Verification = append(v.Verification, "Échec de la vérification : "+err.Error())
	}
	return v, nil
}

func handleQuestionnaire(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		encode(w, http.StatusOK, map[string]any{"questionnaire": p.Questionnaire(), "ruleset": p.Ruleset()})
	})
}

func handleProposeOrientation(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := decode[struct {
			Answers orientation.Answers `json:"answers"`
		}](r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		o, prop, err := p.ProposeOrientation(r.Context(), gateRequest(r), r.PathValue("id"), body.Answers)
		respond(w, r, http.StatusCreated, map[string]any{"orientation": o, "proposal": prop}, err)
	})
}

func handleOrientations(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		os, err := p.Orientations(r.Context(), gateRequest(r), r.PathValue("id"))
		respond(w, r, http.StatusOK, page[*socle.Orientation]{Items: os, Limit: len(os)}, err)
	})
}

func handleConfirmOrientation(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ch, err := decode[gate.Choice](r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		o, err := p.ConfirmOrientation(r.Context(), gateRequest(r), r.PathValue("id"), ch)
		respond(w, r, http.StatusOK, o, err)
	})
}

func handleCreateEvent(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, err := decode[socle.Event](r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		e.PersonID = r.PathValue("id")
		if err := p.CreateEvent(r.Context(), gateRequest(r), &e); err != nil {
			writeError(w, r, err)
			return
		}
		encode(w, http.StatusCreated, e)
	})
}

func handleEvents(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		evs, err := p.Events(r.Context(), gateRequest(r), r.PathValue("id"))
		respond(w, r, http.StatusOK, page[*socle.Event]{Items: evs, Limit: len(evs)}, err)
	})
}

// handleAgenda returns the adviser's week (from ?from=YYYY-MM-DD, 7 days),
// as JSON or, with ?format=ics, as an iCalendar file.
func handleAgenda(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		from := time.Now().Truncate(24 * time.Hour)
		if s := r.URL.Query().Get("from"); s != "" {
			d, err := socle.ParseDate(s)
			if err != nil {
				writeError(w, r, socle.Errorf(socle.EINVALID, "parameter from: a date YYYY-MM-DD"))
				return
			}
			from = d.Time()
		}
		evs, err := p.Agenda(r.Context(), gateRequest(r), from, from.AddDate(0, 0, 7))
		if err != nil {
			writeError(w, r, err)
			return
		}
		if r.URL.Query().Get("format") == "ics" {
			w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="agenda.ics"`)
			w.Header().Set("Cache-Control", "no-store")
			_, _ = w.Write([]byte(ICalendar(evs, r.Host, time.Now())))
			return
		}
		encode(w, http.StatusOK, page[*socle.Event]{Items: evs, Limit: len(evs)})
	})
}

func handleCreateCommitment(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := decode[struct {
			Actions []string `json:"actions"`
		}](r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		c, err := p.CreateCommitment(r.Context(), gateRequest(r), r.PathValue("id"), body.Actions)
		if err != nil {
			writeError(w, r, err)
			return
		}
		v, err := viewCommitment(p, c)
		respond(w, r, http.StatusCreated, v, err)
	})
}

func handleCommitment(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := p.Commitment(r.Context(), gateRequest(r), r.PathValue("id"))
		if err != nil {
			writeError(w, r, err)
			return
		}
		v, err := viewCommitment(p, c)
		respond(w, r, http.StatusOK, v, err)
	})
}

func handleSignAsAdviser(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := p.SignAsAdviser(r.Context(), gateRequest(r), r.PathValue("id"))
		respond(w, r, http.StatusOK, c, err)
	})
}

func handleSigningLink(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, err := p.SigningLink(r.Context(), gateRequest(r), r.PathValue("id"))
		respond(w, r, http.StatusCreated, map[string]any{"token": token, "path": "/api/v1/signing/" + token,
			"expires_in": int(gate.SignLinkLifetime.Seconds())}, err)
	})
}

func handleSignWithLink(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := p.SignWithLink(r.Context(), r.PathValue("token"), RequestID(r.Context()), remoteAddr(r))
		respond(w, r, http.StatusOK, c, err)
	})
}

func handleIndicators(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g, err := indicators.ParseGrouping(r.URL.Query().Get("group"))
		if err != nil {
			writeError(w, r, err)
			return
		}
		rep, err := p.Indicators(r.Context(), gateRequest(r), g)
		if err != nil {
			writeError(w, r, err)
			return
		}
		if r.URL.Query().Get("format") == "csv" {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="indicateurs.csv"`)
			w.Header().Set("Cache-Control", "no-store")
			if err := rep.WriteCSV(w); err != nil {
				loggerFrom(r.Context()).Error("writing indicators", "err", err)
			}
			return
		}
		encode(w, http.StatusOK, rep)
	})
}

func handlePrintCommitment(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := gateRequest(r)
		if req.Purpose == "" {
			req.Purpose = "accompagnement"
		}
		c, err := p.Commitment(r.Context(), req, r.PathValue("id"))
		if err != nil {
			writeError(w, r, err)
			return
		}
		d, err := commitment.Parse(c.Document)
		if err != nil {
			writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = commitment.Page(w, commitment.View{Document: d, Hash: c.DocumentHash, Status: c.Status, Signatures: c.Signatures, PublicKey: p.PublicKey()}, "/parcours/contrat.css")
	})
}

func handleContractCSS() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(commitment.Stylesheet())
	})
}

// ICalendar renders events as an RFC 5545 calendar: CRLF line ends, text
// escaped (backslash, semicolon, comma, newline) and lines folded at 75
// octets without splitting a UTF-8 sequence.
func ICalendar(evs []*socle.Event, host string, now time.Time) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(foldICS(s)) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Socle//Agenda//FR")
	line("CALSCALE:GREGORIAN")
	stamp := now.UTC().Format("20060102T150405Z")
	for _, e := range evs {
		line("BEGIN:VEVENT")
		line("UID:" + e.ID + "@" + escapeICS(host))
		line("DTSTAMP:" + stamp)
		line("DTSTART:" + e.Start.UTC().Format("20060102T150405Z"))
		line("DTEND:" + e.End.UTC().Format("20060102T150405Z"))
		line("SUMMARY:" + escapeICS(e.Title))
		if e.Location != "" {
			line("LOCATION:" + escapeICS(e.Location))
		}
		if e.Description != "" {
			line("DESCRIPTION:" + escapeICS(e.Description))
		}
		line("CATEGORIES:" + escapeICS(e.Kind))
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.String()
}

var icsEscaper = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)

func escapeICS(s string) string { return icsEscaper.Replace(s) }

func foldICS(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		l := len(string(r))
		if n+l > 75 {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteRune(r)
		n += l
	}
	b.WriteString("\r\n")
	return b.String()
}
