package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"socle"
	"socle/gate"
	"socle/http/httpx"
)

// The sections of a person's file are edited one per form, through the
// gate (Gate.UpdatePerson): the form carries the version of the file it
// was filled from, so that a save over someone else's change is refused
// (ESTALE) and shown as a conflict, never applied silently.

// sectionSlugs name the sections in the pages' addresses
// (/usagers/{id}/rubriques/{slug}).
var sectionSlugs = map[string]socle.Category{
	"identite": socle.CatIdentity, "contact": socle.CatContact, "parcours": socle.CatParcours,
	"competences": socle.CatSkills, "sante": socle.CatHealth, "justice": socle.CatJustice, "banque": socle.CatBank,
}

// slugOf is the address of a section.
func slugOf(c socle.Category) string {
	for slug, cat := range sectionSlugs {
		if cat == c {
			return slug
		}
	}
	return ""
}

// editField is one control of a section's form, with its value (as posted
// or as stored) and its error.
type editField struct {
	Name, Label, Hint string
	// Kind is text, email, tel, date, number, select, checkbox, checkboxes or textarea.
	Kind     string
	Value    string
	Checked  bool
	Options  []option
	Suggest  string // the suggestions' API (/api/v1/communes, /api/v1/jobs)
	Required bool
	Max      int
	Error    string
	// Orig is the field's value in the version the form was filled
	// from (fieldKey), posted back so that a conflict keeps only what
	// the adviser changed.
	Orig string
}

// fieldKey is a field's value as one string, to compare versions.
func fieldKey(f editField) string {
	switch f.Kind {
	case "checkbox":
		if f.Checked {
			return "1"
		}
		return ""
	case "checkboxes":
		var sel []string
		for _, o := range f.Options {
			if o.Selected {
				sel = append(sel, o.Value)
			}
		}
		return strings.Join(sel, ",")
	}
	return strings.TrimSpace(f.Value)
}

// postedOrig gives the fields the versions their form was filled from.
func postedOrig(fields []editField, posted url.Values) []editField {
	for i := range fields {
		if o, ok := posted["orig."+fields[i].Name]; ok && len(o) > 0 {
			fields[i].Orig = o[0]
		}
	}
	return fields
}

// mergeConflict is the form shown after a stale save: each field the
// adviser left as she found it takes the value saved meanwhile; each she
// changed keeps her value, marked when the other save changed it too.
// Every field's Orig becomes the current value, so that saving again is
// made from the current version.
func mergeConflict(mine, current []editField) []editField {
	out := make([]editField, len(current))
	for i, cur := range current {
		m := mine[i]
		switch theirs, own, orig := fieldKey(cur), fieldKey(m), m.Orig; {
		case own == orig:
			out[i] = cur
		case theirs != orig && theirs != own:
			out[i] = m
			out[i].Error = msgFieldChangedMeanwhile
		default:
			out[i] = m
		}
		out[i].Orig = fieldKey(cur)
	}
	return out
}

// fieldSpec is what a section's form asks, without values.
type fieldSpec struct {
	name, label, hint, kind string
	options                 func() []option
	suggest                 string
	required                bool
	max                     int
}

// optionsOf lists codes with their labels, in the order given.
func optionsOf(labels map[string]string, codes []string) func() []option {
	return func() []option {
		out := make([]option, len(codes))
		for i, c := range codes {
			out[i] = option{Value: c, Label: labelOf(labels, c)}
		}
		return out
	}
}

var situationLabels = func() map[string]string {
	m := map[string]string{}
	for _, s := range socle.Situations {
		m[string(s)] = s.Label()
	}
	return m
}()

func situationCodes() []string {
	out := make([]string, len(socle.Situations))
	for i, s := range socle.Situations {
		out[i] = string(s)
	}
	return out
}

var educationCodes = []string{"1", "2", "3", "4", "5", "6", "7", "8"}

// sectionSpecs are the fields of each section's form.
var sectionSpecs = map[socle.Category][]fieldSpec{
	socle.CatIdentity: {
		{name: "nom", label: "Nom", kind: "text", required: true, max: 100},
		{name: "prenom", label: "Prénom", kind: "text", required: true, max: 100},
		{name: "nom_naissance", label: "Nom de naissance", hint: "Si différent du nom d'usage.", kind: "text", max: 100},
		{name: "naissance", label: "Date de naissance", kind: "date", required: true},
		{name: "sexe", label: "Sexe (état civil)", kind: "select", required: true, options: optionsOf(sexLabels, []string{"F", "M"})},
		{name: "nir", label: "NIR (numéro de sécurité sociale)", hint: "15 caractères, espaces permis.", kind: "text", max: 21},
	},
	socle.CatContact: {
		{name: "courriel", label: "Courriel", kind: "email", max: 254},
		{name: "telephone", label: "Téléphone", hint: "Par exemple 06 12 34 56 78.", kind: "tel", max: 20},
		{name: "adresse", label: "Adresse", hint: "Numéro et voie.", kind: "text", max: 200},
		{name: "code_postal", label: "Code postal", kind: "text", required: true, max: 5},
		{name: "commune", label: "Commune", hint: "Saisissez le nom ou le code postal et choisissez la commune.", kind: "text", required: true, suggest: "/api/v1/communes", max: 100},
	},
	socle.CatParcours: {
		{name: "situation", label: "Situation", kind: "select", required: true, options: optionsOf(situationLabels, situationCodes())},
		{name: "inscription", label: "Inscrit depuis le", kind: "date"},
		{name: "niveau", label: "Niveau de formation", kind: "select", options: func() []option {
			return append([]option{{Value: "", Label: "Non renseigné"}}, optionsOf(educationLabels, educationCodes)()...)
		}},
		{name: "freins", label: "Freins périphériques", kind: "checkboxes", options: optionsOf(constraintLabels, socle.Constraints)},
	},
	socle.CatSkills: {
		{name: "metier_1", label: "Métier recherché", hint: "Saisissez quelques lettres du métier et choisissez-le, ou son code ROME.", kind: "text", suggest: "/api/v1/jobs", max: 200},
		{name: "metier_2", label: "Deuxième métier recherché", kind: "text", suggest: "/api/v1/jobs", max: 200},
		{name: "metier_3", label: "Troisième métier recherché", kind: "text", suggest: "/api/v1/jobs", max: 200},
		{name: "competences", label: "Compétences", hint: "Séparées par des virgules.", kind: "text", max: 1000},
		{name: "langues", label: "Langues parlées", hint: "Séparées par des virgules, par exemple : français, anglais.", kind: "text", max: 500},
		{name: "permis", label: "Permis de conduire B", kind: "checkbox"},
		{name: "contrat", label: "Contrat souhaité", kind: "select", options: func() []option {
			return append([]option{{Value: "", Label: "Non renseigné"}}, optionsOf(contractLabels, socle.Contracts)()...)
		}},
		{name: "heures", label: "Heures par semaine souhaitées", kind: "number", max: 2},
	},
	socle.CatHealth: {
		{name: "rqth", label: "Reconnaissance de la qualité de travailleur handicapé (RQTH)", kind: "checkbox"},
		{name: "rqth_fin", label: "RQTH valable jusqu'au", kind: "date"},
		{name: "observations", label: "Observations santé", hint: "Seulement ce qui est utile à l'accompagnement.", kind: "textarea", max: 2000},
	},
	socle.CatJustice: {
		{name: "mesure", label: "Mesure de justice", kind: "text", required: true, max: 200},
		{name: "mesure_fin", label: "Jusqu'au", kind: "date"},
	},
	socle.CatBank: {
		{name: "iban", label: "IBAN", kind: "text", required: true, max: 42},
		{name: "bic", label: "BIC", kind: "text", max: 11},
	},
}

// isoDate writes a date as a date input takes it.
func isoDate(d socle.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// valuesOf fills a section's form from the stored file.
func valuesOf(w *words, p *socle.Person, c socle.Category) url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	switch c {
	case socle.CatIdentity:
		if s := p.Identity; s != nil {
			set("nom", s.FamilyName)
			set("prenom", s.GivenName)
			set("nom_naissance", s.BirthName)
			set("naissance", isoDate(s.BirthDate))
			set("sexe", s.Sex)
			set("nir", formatNIR(s.NIR))
		}
	case socle.CatContact:
		if s := p.Contact; s != nil {
			set("courriel", s.Email)
			set("telephone", formatPhone(s.Phone))
			set("adresse", s.Address)
			set("code_postal", s.PostalCode)
			set("commune", s.CommuneCode)
		}
	case socle.CatParcours:
		if s := p.Parcours; s != nil {
			set("situation", string(s.Situation))
			set("inscription", isoDate(s.RegisteredOn))
			set("niveau", s.EducationLevel)
			v["freins"] = slices.Clone(s.Constraints)
		}
	case socle.CatSkills:
		if s := p.Skills; s != nil {
			for i, code := range s.ROMECodes {
				if i < 3 {
					label := w.job(code)
					if label == "" {
						label = code
					}
					set("metier_"+strconv.Itoa(i+1), label)
				}
			}
			set("competences", strings.Join(s.Skills, ", "))
			set("langues", labelsOf(languageLabels, s.Languages))
			if s.DrivingLicence {
				v.Set("permis", "1")
			}
			set("contrat", s.ContractWanted)
			if s.HoursWanted > 0 {
				v.Set("heures", strconv.Itoa(s.HoursWanted))
			}
		}
	case socle.CatHealth:
		if s := p.Health; s != nil {
			if s.RQTH {
				v.Set("rqth", "1")
			}
			set("rqth_fin", isoDate(s.RQTHUntil))
			set("observations", s.Notes)
		}
	case socle.CatJustice:
		if s := p.Justice; s != nil {
			set("mesure", s.Measure)
			set("mesure_fin", isoDate(s.Until))
		}
	case socle.CatBank:
		if s := p.Bank; s != nil {
			set("iban", s.IBAN)
			set("bic", s.BIC)
		}
	}
	return v
}

// editFields lays out a section's form with values and errors.
func editFields(ctx context.Context, w *words, c socle.Category, v url.Values, errs map[string]string) []editField {
	var out []editField
	for _, s := range sectionSpecs[c] {
		f := editField{Name: s.name, Label: s.label, Hint: s.hint, Kind: s.kind, Value: v.Get(s.name), Suggest: s.suggest,
			Required: s.required, Max: s.max, Error: errs[s.name]}
		if s.name == "commune" && socle.ValidCommuneCode(f.Value) {
			// Stored by its code, shown by its name.
			f.Value = w.commune(ctx, f.Value)
		}
		switch s.kind {
		case "checkbox":
			f.Checked = v.Get(s.name) != ""
		case "select", "checkboxes":
			f.Options = s.options()
			for i := range f.Options {
				f.Options[i].Selected = slices.Contains(v[s.name], f.Options[i].Value)
			}
		}
		f.Orig = fieldKey(f)
		out = append(out, f)
	}
	return out
}

// parseFormDate reads a date typed as AAAA-MM-JJ (the date input) or
// JJ/MM/AAAA; "" is the zero date.
func parseFormDate(s string) (socle.Date, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return socle.Date{}, true
	}
	if d, err := socle.ParseDate(s); err == nil {
		return d, true
	}
	if t, err := time.Parse("02/01/2006", s); err == nil {
		return socle.NewDate(t.Year(), t.Month(), t.Day()), true
	}
	return socle.Date{}, false
}

// splitList splits a comma-separated list, without blanks.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// languageCode finds a language by its French name or its code.
func languageCode(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if _, ok := languageLabels[s]; ok {
		return s, true
	}
	for code, label := range languageLabels {
		if strings.EqualFold(label, s) {
			return code, true
		}
	}
	return "", false
}

// sectionFromForm reads the posted section into a person update, with a
// French message per field in error. The checks are the gate's own
// (socle's validators), made early for a message next to the field.
func sectionFromForm(ctx context.Context, w *words, c socle.Category, v url.Values) (*socle.Person, map[string]string) {
	errs := map[string]string{}
	text := func(name string) string {
		val := strings.TrimSpace(v.Get(name))
		for _, s := range sectionSpecs[c] {
			if s.name != name {
				continue
			}
			if s.required && val == "" {
				errs[name] = msgRequired
			} else if s.max > 0 && utf8.RuneCountInString(val) > s.max {
				errs[name] = fmt.Sprintf(msgTooLong, s.max)
			}
		}
		return val
	}
	date := func(name string) socle.Date {
		d, ok := parseFormDate(text(name))
		if !ok && errs[name] == "" {
			errs[name] = msgFieldDateFormat
		}
		return d
	}
	p := &socle.Person{}
	switch c {
	case socle.CatIdentity:
		s := &socle.Identity{FamilyName: text("nom"), GivenName: text("prenom"), BirthName: text("nom_naissance"),
			BirthDate: date("naissance"), Sex: text("sexe"), NIR: strings.ReplaceAll(text("nir"), " ", "")}
		if !s.BirthDate.IsZero() && (s.BirthDate.Time().After(time.Now()) || s.BirthDate.Time().Before(time.Now().AddDate(-120, 0, 0))) {
			errs["naissance"] = msgBirthDatePlausible
		}
		if s.Sex != "F" && s.Sex != "M" && errs["sexe"] == "" {
			errs["sexe"] = msgSexChoice
		}
		if s.NIR != "" && !socle.ValidNIR(s.NIR) {
			errs["nir"] = msgNIRInvalid
		}
		p.Identity = s
	case socle.CatContact:
		s := &socle.Contact{Email: text("courriel"), Phone: strings.Join(strings.Fields(text("telephone")), ""), Address: text("adresse"),
			PostalCode: text("code_postal")}
		if s.Email != "" && !socle.ValidEmail(s.Email) {
			errs["courriel"] = msgEmailInvalid
		}
		if s.Phone != "" && !socle.ValidPhone(s.Phone) {
			errs["telephone"] = msgPhoneInvalid
		}
		if s.PostalCode != "" && !socle.ValidPostalCode(s.PostalCode) {
			errs["code_postal"] = msgPostalCodeInvalid
		}
		if commune := text("commune"); commune != "" {
			code, ok := w.resolveCommune(ctx, commune)
			if !ok {
				errs["commune"] = msgCommuneInvalid
			}
			s.CommuneCode = code
		}
		p.Contact = s
	case socle.CatParcours:
		s := &socle.Parcours{Situation: socle.Situation(text("situation")), RegisteredOn: date("inscription"), EducationLevel: text("niveau")}
		if !slices.Contains(socle.Situations, s.Situation) && errs["situation"] == "" {
			errs["situation"] = msgSituationChoice
		}
		if s.EducationLevel != "" && !slices.Contains(educationCodes, s.EducationLevel) {
			errs["niveau"] = msgEducationChoice
		}
		for _, f := range v["freins"] {
			if !slices.Contains(socle.Constraints, f) {
				errs["freins"] = msgConstraintChoice
				continue
			}
			s.Constraints = append(s.Constraints, f)
		}
		p.Parcours = s
	case socle.CatSkills:
		s := &socle.Skills{Skills: splitList(text("competences")), DrivingLicence: v.Get("permis") != "", ContractWanted: text("contrat")}
		for _, name := range []string{"metier_1", "metier_2", "metier_3"} {
			if job := text(name); job != "" {
				code, ok := w.resolveJob(job)
				if !ok {
					errs[name] = msgJobInvalid
					continue
				}
				if !slices.Contains(s.ROMECodes, code) {
					s.ROMECodes = append(s.ROMECodes, code)
				}
			}
		}
		if s.ROMECodes == nil {
			s.ROMECodes = []string{}
		}
		for _, l := range splitList(text("langues")) {
			code, ok := languageCode(l)
			if !ok {
				errs["langues"] = fmt.Sprintf(msgLanguageUnknown, l)
				continue
			}
			s.Languages = append(s.Languages, code)
		}
		if s.ContractWanted != "" && !slices.Contains(socle.Contracts, s.ContractWanted) {
			errs["contrat"] = msgContractChoice
		}
		if h := text("heures"); h != "" {
			n, err := strconv.Atoi(h)
			if err != nil || n < 0 || n > 48 {
				errs["heures"] = msgHoursInvalid
			}
			s.HoursWanted = n
		}
		p.Skills = s
	case socle.CatHealth:
		p.Health = &socle.Health{RQTH: v.Get("rqth") != "", RQTHUntil: date("rqth_fin"), Notes: text("observations")}
	case socle.CatJustice:
		p.Justice = &socle.Justice{Measure: text("mesure"), Until: date("mesure_fin")}
	case socle.CatBank:
		s := &socle.Bank{IBAN: strings.ToUpper(strings.ReplaceAll(text("iban"), " ", "")), BIC: strings.ToUpper(text("bic"))}
		if s.IBAN != "" && !socle.ValidIBAN(s.IBAN) {
			errs["iban"] = msgIBANInvalid
		}
		p.Bank = s
	}
	return p, errs
}

// sectionEditView is the form of one section of a person's file.
type sectionEditView struct {
	form
	ID, Purpose, PurposeLabel string
	Slug, Label               string
	// Version is the version of the file the form was filled from.
	Version int64
	Fields  []editField
	Error   string
	// Conflict says someone else saved the file since the form was
	// filled; Current holds the values now stored.
	Conflict bool
	Current  []fileField
	// Rectification is the request the save accepts and applies, with
	// Answer the reason the person reads.
	Rectification *rectificationRow
	Answer        string
	AnswerError   string
}

// sectionOf finds the section a page's address names.
func sectionOf(r *http.Request) (socle.Category, bool) {
	c, ok := sectionSlugs[r.PathValue("rubrique")]
	return c, ok
}

// fileAddress is the address of the file for a purpose, at a section.
func fileAddress(id, purpose string, c socle.Category) string {
	return "/usagers/" + url.PathEscape(id) + "?finalite=" + url.QueryEscape(purpose) + "&enregistre=" + slugOf(c) + "#rubrique-" + string(c)
}

func sectionEditPage(s *personPages, w http.ResponseWriter, r *http.Request, status int, v *sectionEditView) {
	staffPage(s.renderer, w, r, status, "dossier-rubrique", "Modifier : "+v.Label, "usagers", v)
}

// openRectification finds the open request rid of the person, through
// the gate; nil, nil when rid is "".
func openRectification(r *http.Request, p *gate.Parcours, personID, rid string) (*rectificationRow, error) {
	if rid == "" {
		return nil, nil
	}
	if p == nil {
		return nil, userErrorf(socle.ENOTFOUND, "%s", msgRectificationGone)
	}
	rs, err := p.Rectifications(r.Context(), pageRequest(r, purposeAccompagnement, ""), personID)
	if err != nil {
		return nil, err
	}
	for _, row := range rectificationRows(rs) {
		if row.ID == rid && row.Open {
			return &row, nil
		}
	}
	return nil, userErrorf(socle.ENOTFOUND, "%s", msgRectificationGone)
}

func handleSectionEditPage(s *personPages, pc *gate.Parcours) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		c, ok := sectionOf(r)
		if !ok {
			s.renderError(w, r, userErrorf(socle.ENOTFOUND, msgSectionUnknown))
			return
		}
		id, purpose := r.PathValue("id"), r.URL.Query().Get("finalite")
		if purpose == "" {
			http.Redirect(w, r, "/usagers/"+url.PathEscape(id), http.StatusSeeOther)
			return
		}
		p, _, err := s.gate.ReadPerson(r.Context(), pageRequest(r, purpose, ""), id, socle.SetOf(c))
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		v := &sectionEditView{ID: id, Purpose: purpose, PurposeLabel: purposeLabel(s.gate, purpose), Slug: slugOf(c), Label: c.Label(),
			Version: p.Version, Fields: editFields(r.Context(), s.words, c, valuesOf(s.words, p, c), nil)}
		if v.Rectification, err = openRectification(r, pc, id, r.URL.Query().Get("rectification")); err != nil {
			s.renderError(w, r, err)
			return
		}
		sectionEditPage(s, w, r, http.StatusOK, v)
	})
}

func handleSectionSave(s *personPages, pc *gate.Parcours) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		c, ok := sectionOf(r)
		if !ok {
			s.renderError(w, r, userErrorf(socle.ENOTFOUND, msgSectionUnknown))
			return
		}
		id, purpose := r.PathValue("id"), r.PostFormValue("finalite")
		version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
		if err != nil || version < 1 {
			s.renderError(w, r, userErrorf(socle.EPRECONDITION, "%s", codeMessages[socle.EPRECONDITION]))
			return
		}
		v := &sectionEditView{ID: id, Purpose: purpose, PurposeLabel: purposeLabel(s.gate, purpose), Slug: slugOf(c), Label: c.Label(), Version: version,
			Answer: strings.TrimSpace(r.PostFormValue("reponse"))}
		if v.Rectification, err = openRectification(r, pc, id, r.PostFormValue("rectification")); err != nil {
			s.renderError(w, r, err)
			return
		}
		update, errs := sectionFromForm(r.Context(), s.words, c, r.PostForm)
		if n := utf8.RuneCountInString(v.Answer); v.Rectification != nil && (n < 5 || n > 2000) {
			v.AnswerError = msgRectificationAnswerLength
		}
		if len(errs) > 0 || v.AnswerError != "" {
			v.Error, v.Fields = msgFormErrors, postedOrig(editFields(r.Context(), s.words, c, r.PostForm, errs), r.PostForm)
			sectionEditPage(s, w, r, http.StatusBadRequest, v)
			return
		}
		update.ID, update.Version = id, version
		req := pageRequest(r, purpose, "")
		if v.Rectification != nil {
			// Accepting the request applies the correction and answers it
			// in one transaction.
			_, err = pc.ApplyRectification(r.Context(), pageRequest(r, purposeAccompagnement, ""), id, v.Rectification.ID, update, v.Answer)
		} else {
			_, err = s.gate.UpdatePerson(r.Context(), req, update)
		}
		switch {
		case err == nil && v.Rectification != nil:
			http.Redirect(w, r, "/usagers/"+url.PathEscape(id)+"/rectifications", http.StatusSeeOther)
			return
		case err == nil:
			http.Redirect(w, r, fileAddress(id, purpose, c), http.StatusSeeOther)
			return
		case socle.ErrorCode(err) == socle.ESTALE:
			// Someone saved since: show what is stored now, keep what she
			// typed, and let her save again from the current version.
			current, _, rerr := s.gate.ReadPerson(r.Context(), req, id, socle.SetOf(c))
			if rerr != nil {
				s.renderError(w, r, rerr)
				return
			}
			v.Conflict, v.Version, v.Error = true, current.Version, msgFileChanged
			v.Current = sectionFields(r.Context(), s.words, current, c)
			mine := postedOrig(editFields(r.Context(), s.words, c, r.PostForm, nil), r.PostForm)
			v.Fields = mergeConflict(mine, editFields(r.Context(), s.words, c, valuesOf(s.words, current, c), nil))
			sectionEditPage(s, w, r, http.StatusConflict, v)
			return
		case socle.ErrorCode(err) == socle.EFORBIDDEN:
			v.Error = fmt.Sprintf(msgSectionNotWritable, v.PurposeLabel)
		case soft(err):
			v.Error = message(err)
		default:
			s.renderError(w, r, err)
			return
		}
		v.Fields = postedOrig(editFields(r.Context(), s.words, c, r.PostForm, nil), r.PostForm)
		sectionEditPage(s, w, r, httpx.ErrorStatus(err), v)
	})
}

// fileWorkView is what the file page shows of the work on the file.
type fileWorkView struct {
	// Saved names the section just saved.
	Saved string
}

// fileWork fills the file page's part of the work on the file: who
// supplied each section (an audited read through the gate) and the
// notice of a save.
func fileWork(r *http.Request, s *personPages, data *fileView) error {
	if c, ok := sectionSlugs[r.URL.Query().Get("enregistre")]; ok {
		data.Work.Saved = fmt.Sprintf(msgSectionSaved, c.Label())
	}
	prov, err := s.gate.FileProvenance(r.Context(), pageRequest(r, data.Purpose, ""), data.ID)
	if err != nil {
		return fmt.Errorf("reading provenance: %w", err)
	}
	names, err := provenanceAgents(r.Context(), s.parcours, prov)
	if err != nil {
		return err
	}
	for i := range data.Sections {
		sec := &data.Sections[i]
		if !sec.Granted {
			continue
		}
		sec.Slug = slugOf(sec.Code)
		for _, p := range prov {
			if p.Category == sec.Code {
				sec.Source = sourceLine(p, names[p.AgentID], s.words.organisation(r.Context(), p.OrganisationID))
			}
		}
	}
	return nil
}

// provenanceAgents names the agents who supplied the sections of prov;
// none without the parcours (a server that has none names structures).
func provenanceAgents(ctx context.Context, pc *gate.Parcours, prov []socle.Provenance) (map[string]string, error) {
	if pc == nil {
		return nil, nil
	}
	var ids []string
	for _, p := range prov {
		if p.AgentID != "" {
			ids = append(ids, p.AgentID)
		}
	}
	names, err := pc.AgentNames(ctx, ids...)
	if err != nil {
		return nil, fmt.Errorf("naming who supplied the file: %w", err)
	}
	return names, nil
}

// sourceLine says who last supplied a section and when: the agent by name
// with her structure, a partner software of the structure, or the
// structure alone when the agent is not known; never an id.
func sourceLine(p socle.Provenance, agent, organisation string) string {
	day := socle.DateOf(p.At.In(paris)).French()
	switch {
	case agent != "":
		return fmt.Sprintf(labelSourceAgent, agent, organisation, day)
	case p.ClientID != "":
		return fmt.Sprintf(labelSourceClient, organisation, day)
	default:
		return fmt.Sprintf(labelSourceOrganisation, organisation, day)
	}
}
