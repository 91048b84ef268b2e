package api

import (
	"net/http"
	"strings"

	"socle"
	"socle/gate"
	"socle/http/httpx"
)

// The file worked on through the gate over the API: the notes of the
// follow-up and the rectification requests of a followed person.

// noteRequest is what a client sends to write a note.
type noteRequest struct {
	Category       socle.Category `json:"category"`
	NetworkVisible bool           `json:"network_visible"`
	Text           string         `json:"text"`
}

// handleNotes lists a person's notes, newest first, a page at a time.
func handleNotes(g *gate.Gate) http.Handler {
	return httpx.List(50, 200, func(n *socle.Note) string { return httpx.NewestFirst(httpx.TimeKey(n.CreatedAt, n.ID)) }, byID(g.Notes))
}

func handleAddNote(g *gate.Gate) http.Handler {
	return httpx.Command(http.StatusCreated, func(r *http.Request, body noteRequest) (*socle.Note, error) {
		if body.Category == "" {
			body.Category = socle.CatParcours
		}
		n := &socle.Note{PersonID: r.PathValue("id"), Category: body.Category, NetworkVisible: body.NetworkVisible, Text: body.Text}
		return n, g.AddNote(r.Context(), httpx.GateRequest(r), n)
	})
}

// handleRectifications lists a person's rectification requests, newest
// first, a page at a time.
func handleRectifications(p *gate.Parcours) http.Handler {
	return httpx.List(50, 200, func(q *socle.RectificationRequest) string { return httpx.NewestFirst(httpx.TimeKey(q.CreatedAt, q.ID)) }, byID(p.Rectifications))
}

// rectificationAnswer is a client's answer to a rectification request:
// accept with the correction to apply, or refuse, with the reason the
// person reads either way.
type rectificationAnswer struct {
	Decision   string        `json:"decision"` // "accept" or "refuse"
	Answer     string        `json:"answer"`
	Correction *socle.Person `json:"correction,omitempty"`
}

// handleAnswerRectification answers a request. Accepting with a
// correction applies it from the version in If-Match (required, as for
// PATCH /persons/{id}); accepting without one only answers.
func handleAnswerRectification(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := httpx.Decode[rectificationAnswer](r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		req, personID, id := httpx.GateRequest(r), r.PathValue("id"), r.PathValue("rid")
		var answered *socle.RectificationRequest
		switch {
		case (body.Decision == "accept" || body.Decision == "refuse") && strings.TrimSpace(body.Answer) == "":
			// The person reads the reason either way; checked before the
			// gate, whose own message is written for the pages.
			err = socle.Errorf(socle.EINVALID, "answer: required, the reason the person reads (5 to 2000 characters)")
		case body.Decision == "accept" && body.Correction != nil:
			version, verr := ifMatchPerson(r)
			if verr != nil {
				httpx.WriteError(w, r, verr)
				return
			}
			body.Correction.Version = version
			answered, err = p.ApplyRectification(r.Context(), req, personID, id, body.Correction, body.Answer)
			if err == nil {
				w.Header().Set("ETag", httpx.VersionETag(body.Correction.Version))
			}
		case body.Decision == "accept" || body.Decision == "refuse":
			answered, err = p.AnswerRectification(r.Context(), req, personID, id, body.Decision == "accept", body.Answer)
		default:
			err = socle.Errorf(socle.EINVALID, `decision: "accept" or "refuse"`)
		}
		httpx.Respond(w, r, http.StatusOK, answered, err)
	})
}
