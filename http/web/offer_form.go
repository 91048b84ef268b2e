package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"socle"
	"socle/rome"
)

// offerForm is an offer as typed in a form, kept as text so that a form
// with errors comes back as the user typed it.
type offerForm struct {
	// ROME and Commune are what the person typed or chose: a label
	// (shown for an existing offer) or a code.
	Titre, ROME, Commune, Contrat, Heures, SalaireMin, SalaireMax, Competences, Debut string
	// ROMECode is the code ROME resolves to, "" when it resolves to none.
	ROMECode  string
	Ouverte   bool
	Contracts []string
	// Appellations are the job titles of the ROME code the referential
	// holds, offered with the title; when there are some, the title must
	// be one of them.
	Appellations []socle.ROMEAppellation
}

// ContractOptions are the kinds of contract the form offers, by label.
func (f offerForm) ContractOptions() []option {
	out := make([]option, len(f.Contracts))
	for i, c := range f.Contracts {
		out[i] = option{Value: c, Label: labelOf(contractLabels, c), Selected: c == f.Contrat}
	}
	return out
}

// withAppellations adds the appellations of the form's ROME code.
func (f offerForm) withAppellations(ref *rome.Referential) offerForm {
	if ref != nil && socle.ValidROME(f.ROMECode) {
		f.Appellations = ref.AppellationsOf(f.ROMECode)
	}
	return f
}

// formOf returns the form of an existing offer, its job and commune by
// name, with the appellations of its ROME code in ref (nil: none).
func formOf(ctx context.Context, w *words, o *socle.Offer, ref *rome.Referential) offerForm {
	f := offerForm{Titre: o.Title, ROME: w.job(o.ROMECode), ROMECode: o.ROMECode, Commune: w.commune(ctx, o.CommuneCode), Contrat: o.Contract,
		Heures: strconv.Itoa(o.HoursPerWeek), Competences: strings.Join(o.Skills, ", "), Ouverte: o.Open, Contracts: socle.Contracts}
	if o.SalaryMin > 0 {
		f.SalaireMin = strconv.Itoa(o.SalaryMin)
	}
	if o.SalaryMax > 0 {
		f.SalaireMax = strconv.Itoa(o.SalaryMax)
	}
	if !o.StartDate.IsZero() {
		f.Debut = o.StartDate.String()
	}
	return f.withAppellations(ref)
}

// newOfferForm is the empty form of a new offer.
func newOfferForm() offerForm {
	return offerForm{Contrat: "CDI", Heures: "35", Ouverte: true, Contracts: socle.Contracts}
}

// parseOfferForm reads the offer fields of r into o and returns the
// problems, in French, by field name; none when o is valid. When ref (nil:
// none) holds appellations of the ROME code, the title must be one of them
// and takes its spelling. The job and the commune are accepted by code or
// by label (words).
func parseOfferForm(r *http.Request, w *words, o *socle.Offer, ref *rome.Referential) (offerForm, map[string]string) {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := offerForm{Titre: v("titre"), ROME: v("rome"), Commune: v("commune"), Contrat: v("contrat"),
		Heures: v("heures"), SalaireMin: v("salaire_min"), SalaireMax: v("salaire_max"), Competences: v("competences"),
		Debut: v("debut"), Ouverte: r.PostFormValue("ouverte") != "", Contracts: socle.Contracts}
	errs := map[string]string{}
	romeCode, romeOK := w.resolveJob(f.ROME)
	communeCode, communeOK := w.resolveCommune(r.Context(), f.Commune)
	f.ROMECode = romeCode
	o.Title, o.ROMECode, o.CommuneCode, o.Contract, o.Open = f.Titre, romeCode, communeCode, f.Contrat, f.Ouverte
	switch n := len([]rune(f.Titre)); {
	case n == 0:
		errs["titre"] = "Indiquez l'intitulé du poste (l'appellation du métier)."
	case n > 200:
		errs["titre"] = "L'intitulé ne doit pas dépasser 200 caractères."
	}
	if !romeOK {
		f.ROMECode = ""
		errs["rome"] = msgJobUnknown
	}
	f = f.withAppellations(ref)
	if len(f.Appellations) > 0 && errs["titre"] == "" {
		if a, ok := ref.Appellation(f.ROMECode, f.Titre); ok {
			f.Titre, o.Title = a.Label, a.Label
		} else {
			errs["titre"] = "L'intitulé doit être une appellation du métier « " + w.job(f.ROMECode) + " » : choisissez-en une dans la liste proposée."
		}
	}
	if !communeOK {
		errs["commune"] = msgCommuneUnknown
	}
	if !slices.Contains(socle.Contracts, f.Contrat) {
		errs["contrat"] = "Choisissez un type de contrat : " + labelsOf(contractLabels, socle.Contracts) + "."
	}
	h, err := strconv.Atoi(f.Heures)
	if err != nil || h < 1 || h > 48 {
		errs["heures"] = "La durée hebdomadaire est un nombre d'heures entre 1 et 48."
	}
	o.HoursPerWeek = h
	amount := func(field, s, label string) int {
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(strings.ReplaceAll(s, " ", ""))
		if err != nil || n < 0 || n > 100000 {
			errs[field] = "Le salaire " + label + " est un montant mensuel brut en euros, sans centimes."
		}
		return n
	}
	o.SalaryMin, o.SalaryMax = amount("salaire_min", f.SalaireMin, "minimum"), amount("salaire_max", f.SalaireMax, "maximum")
	if errs["salaire_min"] == "" && errs["salaire_max"] == "" && o.SalaryMax > 0 && o.SalaryMax < o.SalaryMin {
		errs["salaire_max"] = "Le salaire maximum ne peut pas être inférieur au salaire minimum."
	}
	o.Skills = nil
	for _, s := range strings.Split(f.Competences, ",") {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(o.Skills, s) {
			o.Skills = append(o.Skills, s)
		}
	}
	if len(o.Skills) > 30 {
		errs["competences"] = "Indiquez au plus 30 compétences, séparées par des virgules."
	}
	o.StartDate = socle.Date{}
	if f.Debut != "" {
		d, err := socle.ParseDate(f.Debut)
		if err != nil {
			errs["debut"] = "La date de prise de poste est au format AAAA-MM-JJ."
		}
		o.StartDate = d
	} else {
		errs["debut"] = "Indiquez la date de prise de poste souhaitée."
	}
	if r.PostFormValue("etape") == "appellations" {
		// The step that offers the appellations saves nothing: an entry
		// in errs keeps the handlers from saving and brings the form back.
		if f.Titre == "" {
			delete(errs, "titre")
		}
		switch {
		case errs["rome"] != "":
			errs["appellations"] = "Indiquez d'abord le métier."
		case len(f.Appellations) > 0:
			errs["appellations"] = fmt.Sprintf("Choisissez l'intitulé parmi les %d appellations du métier « %s » proposées, puis enregistrez.", len(f.Appellations), w.job(f.ROMECode))
		default:
			errs["appellations"] = "Le référentiel ne connaît pas d'appellation pour le métier « " + w.job(f.ROMECode) + " » : saisissez librement l'intitulé du poste, puis enregistrez."
		}
		return f, errs
	}
	if len(errs) == 0 {
		// The domain's own check, in case it knows more than the form.
		if err := o.Validate(); err != nil {
			errs["offre"] = "L'offre n'est pas valide : " + message(err)
		}
	}
	return f, errs
}
