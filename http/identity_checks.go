package http

import (
	"errors"
	"net/http"
	"strconv"

	"socle"
	"socle/space"
)

// identityCheckRow is one open identity check as the page shows it.
type identityCheckRow struct {
	ID                                         string
	Created, Names, FamilyName, Born, Sex, Why string
}

func identityCheckRows(cs []*socle.IdentityCheck) []identityCheckRow {
	rows := make([]identityCheckRow, 0, len(cs))
	for _, c := range cs {
		why := "aucun dossier ne correspond"
		if c.Candidates > 1 {
			why = strconv.Itoa(c.Candidates) + " dossiers correspondent"
		}
		family := c.Identity.FamilyName
		if c.Identity.PreferredUsername != "" {
			family += " (nom d'usage : " + c.Identity.PreferredUsername + ")"
		}
		born := c.Identity.BirthDate.French()
		if c.Identity.BirthPlace != "" {
			born += ", commune de naissance " + c.Identity.BirthPlace
		} else {
			born += ", à l'étranger"
		}
		rows = append(rows, identityCheckRow{ID: c.ID, Created: socle.DateOf(c.CreatedAt).French(), Names: c.Identity.GivenNames,
			FamilyName: family, Born: born, Sex: map[string]string{"F": "femme", "M": "homme"}[c.Identity.Sex], Why: why})
	}
	return rows
}

// identityChecksPage lists the open identity checks of FranceConnect
// logins, for administrators.
func identityChecksPage(s *Server, fc *space.FranceConnect, w http.ResponseWriter, r *http.Request, status int, d map[string]any) {
	actor, ok := staffOnly(w, r)
	if !ok {
		return
	}
	cs, err := fc.OpenIdentityChecks(r.Context(), actor.AgentID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d["Checks"] = identityCheckRows(cs)
	staffPage(s, w, r, status, "verifications-identite", "Vérifications d'identité FranceConnect", "", d)
}

func handleIdentityChecks(s *Server, fc *space.FranceConnect) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		identityChecksPage(s, fc, w, r, http.StatusOK, map[string]any{})
	})
}

// handleIdentityCheckResolve links a check to the record of the NIR the
// administrator read on the person's documents, or rejects it.
func handleIdentityCheckResolve(s *Server, fc *space.FranceConnect) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !staffPost(s, w, r) {
			return
		}
		actor := ActorFrom(r.Context())
		var err error
		notice := "La vérification est close : aucun dossier n'a été rattaché."
		if r.PostFormValue("decision") == "rattacher" {
			notice = "Le compte FranceConnect est rattaché au dossier : la personne peut désormais se connecter avec FranceConnect."
			err = fc.LinkIdentityCheckByNIR(r.Context(), actor.AgentID, r.PathValue("id"), r.PostFormValue("nir"))
		} else {
			err = fc.ResolveIdentityCheck(r.Context(), actor.AgentID, r.PathValue("id"), "")
		}
		switch {
		case errors.Is(err, space.ErrNoRecordForNIR):
			identityChecksPage(s, fc, w, r, http.StatusUnprocessableEntity, map[string]any{"Error": "Aucun dossier unique ne porte ce NIR avec la date de naissance certifiée par FranceConnect. Vérifiez le numéro sur un document de la personne."})
		case socle.ErrorCode(err) == socle.ECONFLICT:
			identityChecksPage(s, fc, w, r, http.StatusConflict, map[string]any{"Error": "Cette vérification a déjà été traitée."})
		case err != nil:
			s.renderError(w, r, err)
		default:
			identityChecksPage(s, fc, w, r, http.StatusOK, map[string]any{"Notice": notice})
		}
	})
}
