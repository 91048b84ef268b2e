package web

import (
	"net/http"
	"strings"

	"socle"
	"socle/gate"
	"socle/http/httpx"
)

// blockRow is one blocked account as the page shows it.
type blockRow struct {
	// Principal is the account's key for the lift form; Name is what the
	// page shows of it.
	Principal, Name, Kind, Since, Until string
	Weight                              int
	// Reason and ReasonError are the reason sent for this row's lifting
	// and what is wrong with it, shown beside its field.
	Reason, ReasonError string
}

// liftAttempt is a refused lifting: the account, the reason sent, and the
// error beside the reason field.
type liftAttempt struct {
	Principal, Reason, Error string
}

func (s *blockPages) renderBlocks(w http.ResponseWriter, r *http.Request, status int, message string, lift liftAttempt) {
	list, err := s.gate.ThrottleBlocks(r.Context(), pageRequest(r, "", ""), 200)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	names := map[string]string{}
	if s.detection != nil && len(list) > 0 {
		ids := make([]string, len(list))
		for i, b := range list {
			ids[i] = strings.TrimPrefix(b.Principal, "agent:")
		}
		if names, err = s.detection.Names(r.Context(), httpx.ActorFrom(r.Context()), ids...); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	rows := make([]blockRow, len(list))
	shown := false // whether the refused lifting's row is on the page
	for i, b := range list {
		kind := "Agent"
		if strings.HasPrefix(b.Principal, "client:") {
			kind = labelPartnerSystem
		}
		rows[i] = blockRow{Principal: b.Principal, Name: principalName(b.Principal, names), Kind: kind, Weight: b.BlockedWeight,
			Since: frenchTime(b.BlockedAt), Until: frenchTime(b.BlockedUntil)}
		if b.Principal == lift.Principal {
			rows[i].Reason, rows[i].ReasonError = lift.Reason, lift.Error
			shown = true
		}
	}
	if lift.Error != "" && !shown {
		message = lift.Error
	}
	staffPage(s.renderer, w, r, status, "blocages", "Comptes bloqués", "alertes", &blocksView{Blocks: rows, Error: message, MinReason: gate.MinLiftReason})
}

func handleThrottleBlocksPage(s *blockPages) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		s.renderBlocks(w, r, http.StatusOK, "", liftAttempt{})
	})
}

func handleLiftBlockForm(s *blockPages) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		principal, reason := r.PostFormValue("compte"), r.PostFormValue("motif")
		err := s.gate.LiftBlock(r.Context(), pageRequest(r, "", ""), principal, reason)
		switch socle.ErrorCode(err) {
		case "":
			http.Redirect(w, r, "/alertes/blocages", http.StatusSeeOther)
		case socle.EINVALID:
			s.renderBlocks(w, r, http.StatusBadRequest, "", liftAttempt{Principal: principal, Reason: reason, Error: msgLiftReason})
		case socle.ENOTFOUND:
			s.renderBlocks(w, r, http.StatusNotFound, msgNoBlock, liftAttempt{})
		default:
			s.renderError(w, r, err)
		}
	})
}

// blocksView lists the accounts the volume throttle blocked.
type blocksView struct {
	form
	Blocks    []blockRow
	Error     string
	MinReason int
}
