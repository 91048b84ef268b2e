package api

import (
	"net/http"
	"time"

	"socle"
	"socle/appointment"
	"socle/commitment"
	"socle/gate"
	"socle/http/httpx"
	"socle/indicators"
	"socle/orientation"
)

// Lists of the parcours come in a stable order for cursor pagination:
// orientations by creation, events by start (then id).
func orientationKey(o *socle.Orientation) string { return httpx.TimeKey(o.CreatedAt, o.ID) }
func eventKey(e *socle.Event) string             { return httpx.TimeKey(e.Start, e.ID) }

func handleQuestionnaire(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		questionnaire, rules := orientation.InForce()
		httpx.Encode(w, http.StatusOK, map[string]any{"questionnaire": questionnaire, "ruleset": rules})
	})
}

func handleProposeOrientation(p *gate.Parcours) http.Handler {
	return httpx.Command(http.StatusCreated, func(r *http.Request, body struct {
		Answers orientation.Answers `json:"answers"`
	}) (map[string]any, error) {
		o, prop, err := orientation.Propose(r.Context(), p, httpx.GateRequest(r), r.PathValue("id"), body.Answers)
		return map[string]any{"orientation": o, "proposal": prop}, err
	})
}

func handleOrientations(p *gate.Parcours) http.Handler {
	return httpx.List(50, 200, orientationKey, byID(p.Orientations))
}

func handleConfirmOrientation(p *gate.Parcours) http.Handler {
	return httpx.Command(http.StatusOK, func(r *http.Request, ch gate.Choice) (*socle.Orientation, error) {
		return orientation.Confirm(r.Context(), p, httpx.GateRequest(r), r.PathValue("id"), ch)
	})
}

func handleCreateEvent(p *gate.Parcours) http.Handler {
	return httpx.Command(http.StatusCreated, func(r *http.Request, e socle.Event) (socle.Event, error) {
		e.PersonID = r.PathValue("id")
		err := p.CreateEvent(r.Context(), httpx.GateRequest(r), &e)
		return e, err
	})
}

func handleEvents(p *gate.Parcours) http.Handler {
	return httpx.List(50, 200, eventKey, byID(p.Events))
}

// handleAgenda returns the adviser's week (from ?from=YYYY-MM-DD, 7 days),
// as JSON or, with ?format=ics, as an iCalendar file.
func handleAgenda(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pg, err := httpx.PageParams(r, 200, 500)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		from := time.Now().Truncate(24 * time.Hour)
		if s := r.URL.Query().Get("from"); s != "" {
			d, err := socle.ParseDate(s)
			if err != nil {
				httpx.WriteError(w, r, socle.Errorf(socle.EINVALID, "parameter from: a date YYYY-MM-DD"))
				return
			}
			from = d.Time()
		}
		evs, err := p.Agenda(r.Context(), httpx.GateRequest(r), from, from.AddDate(0, 0, 7))
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		if r.URL.Query().Get("format") == "ics" {
			httpx.Attachment(w, "text/calendar; charset=utf-8", "agenda.ics")
			_, _ = w.Write([]byte(appointment.ICalendar(evs, r.Host, time.Now())))
			return
		}
		httpx.Encode(w, http.StatusOK, httpx.Paginate(evs, eventKey, pg))
	})
}

func handleCreateCommitment(p *gate.Parcours) http.Handler {
	return httpx.Command(http.StatusCreated, func(r *http.Request, body struct {
		Actions []string `json:"actions"`
	}) (commitmentView, error) {
		c, err := commitment.Draw(r.Context(), p, httpx.GateRequest(r), r.PathValue("id"), body.Actions)
		return viewCommitment(p, c, err)
	})
}

func handleCommitment(p *gate.Parcours) http.Handler {
	return httpx.Read(func(r *http.Request) (commitmentView, error) {
		c, err := p.Commitment(r.Context(), httpx.GateRequest(r), r.PathValue("id"))
		return viewCommitment(p, c, err)
	})
}

func handleSignAsAdviser(p *gate.Parcours) http.Handler {
	return httpx.Answer(http.StatusOK, byID(p.SignAsAdviser))
}

func handleSigningLink(p *gate.Parcours) http.Handler {
	return httpx.Answer(http.StatusCreated, func(r *http.Request) (map[string]any, error) {
		token, err := p.SigningLink(r.Context(), httpx.GateRequest(r), r.PathValue("id"))
		return map[string]any{"token": token, "path": "/api/v1/signing/" + token,
			"expires_in": int(gate.SignLinkLifetime.Seconds())}, err
	})
}

func handleSignWithLink(p *gate.Parcours) http.Handler {
	return httpx.Answer(http.StatusOK, func(r *http.Request) (*socle.Commitment, error) {
		return p.SignWithLink(r.Context(), r.PathValue("token"), httpx.RequestID(r.Context()), httpx.RemoteAddr(r))
	})
}

func handleIndicators(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g, err := indicators.ParseGrouping(r.URL.Query().Get("group"))
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		rep, err := indicators.Steering(r.Context(), p, httpx.GateRequest(r), g)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		if r.URL.Query().Get("format") == "csv" {
			httpx.Attachment(w, "text/csv; charset=utf-8", "indicateurs.csv")
			if err := rep.WriteCSV(w); err != nil {
				httpx.LoggerFrom(r.Context()).Error("writing indicators", "err", err)
			}
			return
		}
		httpx.Encode(w, http.StatusOK, rep)
	})
}
