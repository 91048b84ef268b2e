package http

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"socle"
	"socle/gate"
)

// Messages of the blocks page.
var (
	msgLiftReason = fmt.Sprintf("Indiquez le motif de la levée du blocage, en au moins %d caractères : il est consigné au journal des accès.", gate.MinLiftReason)
	msgNoBlock    = "Ce compte n'est plus bloqué."
)

// throttleRoutes registers the review of the accounts the volume throttle
// blocked, and the lifting of a block, for privacy officers.
func throttleRoutes(s *Server) {
	s.handle("GET /api/v1/throttle/blocks", handleThrottleBlocksAPI(s))
	s.handle("POST /api/v1/throttle/blocks/{principal}/lift", handleLiftBlockAPI(s))
	if s.identity != nil {
		s.handle("GET /alertes/blocages", handleThrottleBlocksPage(s))
		s.handle("POST /alertes/blocages", handleLiftBlockForm(s))
	}
}

func handleThrottleBlocksAPI(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit, err := intParam(r, "limit", 100, 1, 1000)
		if err != nil {
			writeError(w, r, err)
			return
		}
		list, err := s.gate.ThrottleBlocks(r.Context(), gateRequest(r), limit)
		if list == nil {
			list = []socle.ThrottleState{}
		}
		respond(w, r, http.StatusOK, page[socle.ThrottleState]{Items: list, Limit: limit}, err)
	})
}

func handleLiftBlockAPI(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, err := decode[struct {
			Reason string `json:"reason"`
		}](r)
		if err == nil {
			err = s.gate.LiftBlock(r.Context(), gateRequest(r), r.PathValue("principal"), in.Reason)
		}
		if err != nil {
			writeError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// blockRow is one blocked account as the page shows it.
type blockRow struct {
	Principal, Kind, Since, Until string
	Weight                        int
}

func (s *Server) renderBlocks(w http.ResponseWriter, r *http.Request, status int, message string) {
	list, err := s.gate.ThrottleBlocks(r.Context(), pageRequest(r, "", ""), 200)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.UTC
	}
	rows := make([]blockRow, len(list))
	for i, b := range list {
		kind := "Agent"
		if strings.HasPrefix(b.Principal, "client:") {
			kind = "Système partenaire"
		}
		rows[i] = blockRow{Principal: b.Principal, Kind: kind, Weight: b.BlockedWeight,
			Since: b.BlockedAt.In(paris).Format("02/01/2006 15:04"), Until: b.BlockedUntil.In(paris).Format("02/01/2006 15:04")}
	}
	staffPage(s, w, r, status, "blocages", "Comptes bloqués", "alertes", map[string]any{"Blocks": rows, "Error": message, "MinReason": gate.MinLiftReason})
}

func handleThrottleBlocksPage(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := staffOnly(w, r); !ok {
			return
		}
		s.renderBlocks(w, r, http.StatusOK, "")
	})
}

func handleLiftBlockForm(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !staffPost(s, w, r) {
			return
		}
		err := s.gate.LiftBlock(r.Context(), pageRequest(r, "", ""), r.PostFormValue("compte"), r.PostFormValue("motif"))
		switch socle.ErrorCode(err) {
		case "":
			http.Redirect(w, r, "/alertes/blocages", http.StatusSeeOther)
		case socle.EINVALID:
			s.renderBlocks(w, r, http.StatusBadRequest, msgLiftReason)
		case socle.ENOTFOUND:
			s.renderBlocks(w, r, http.StatusNotFound, msgNoBlock)
		default:
			s.renderError(w, r, err)
		}
	})
}
