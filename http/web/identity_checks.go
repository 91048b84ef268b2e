package web

import (
	"errors"
	"net/http"
	"strconv"

	"socle"
	"socle/http/httpx"
	"socle/space"
)

// identityChecksView is the page of the open identity checks of
// FranceConnect logins.
type identityChecksView struct {
	form
	Checks        []identityCheckRow
	Error, Notice string
}

// identityCheckRow is one open identity check as the page shows it.
type identityCheckRow struct {
	ID                                         string
	Created, Names, FamilyName, Born, Sex, Why string
}

func identityCheckRows(cs []*socle.IdentityCheck) []identityCheckRow {
	rows := make([]identityCheckRow, 0, len(cs))
	for _, c := range cs {
		why := msgCheckNoRecord
		if c.Candidates > 1 {
			why = strconv.Itoa(c.Candidates) + msgCheckSeveralRecords
		}
		family := c.Identity.FamilyName
		if c.Identity.PreferredUsername != "" {
			family += msgCheckUsedNamePrefix + c.Identity.PreferredUsername + ")"
		}
		born := c.Identity.BirthDate.French()
		if c.Identity.BirthPlace != "" {
			born += msgCheckBirthPlacePrefix + c.Identity.BirthPlace
		} else {
			born += msgCheckBornAbroad
		}
		rows = append(rows, identityCheckRow{ID: c.ID, Created: socle.DateOf(c.CreatedAt).French(), Names: c.Identity.GivenNames,
			FamilyName: family, Born: born, Sex: sexWords[c.Identity.Sex], Why: why})
	}
	return rows
}

// identityChecksPage lists the open identity checks of FranceConnect
// logins, for administrators.
func identityChecksPage(s *identityCheckPages, w http.ResponseWriter, r *http.Request, status int, d *identityChecksView) {
	actor, ok := staffOnly(w, r)
	if !ok {
		return
	}
	cs, err := s.fc.OpenIdentityChecks(r.Context(), actor.AgentID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d.Checks = identityCheckRows(cs)
	staffPage(s.renderer, w, r, status, "verifications-identite", "Vérifications d'identité FranceConnect", "", d)
}

func handleIdentityChecks(s *identityCheckPages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		identityChecksPage(s, w, r, http.StatusOK, &identityChecksView{})
	})
}

// handleIdentityCheckResolve links a check to the record of the NIR the
// administrator read on the person's documents, or rejects it.
func handleIdentityCheckResolve(s *identityCheckPages) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		actor := httpx.ActorFrom(r.Context())
		var err error
		notice := msgCheckClosed
		if r.PostFormValue("decision") == "rattacher" {
			notice = msgCheckLinked
			err = s.fc.LinkIdentityCheckByNIR(r.Context(), actor.AgentID, r.PathValue("id"), r.PostFormValue("nir"))
		} else {
			err = s.fc.ResolveIdentityCheck(r.Context(), actor.AgentID, r.PathValue("id"), "")
		}
		switch {
		case errors.Is(err, space.ErrNoRecordForNIR):
			identityChecksPage(s, w, r, http.StatusUnprocessableEntity, &identityChecksView{Error: msgNoRecordForNIR})
		case socle.ErrorCode(err) == socle.ECONFLICT:
			identityChecksPage(s, w, r, http.StatusConflict, &identityChecksView{Error: msgCheckAlreadyResolved})
		case err != nil:
			s.renderError(w, r, err)
		default:
			identityChecksPage(s, w, r, http.StatusOK, &identityChecksView{Notice: notice})
		}
	})
}
