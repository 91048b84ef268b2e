package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"socle"
	"socle/gate"
	"socle/http/httpx"
	"socle/space"
)

// dataDocument is everything the network holds about a person, in words:
// what her space shows as a readable page and downloads as HTML or PDF,
// beside the JSON of gate.Export. The three are made from the same
// audited export.
type dataDocument struct {
	Name, Generated string
	// Sections are the sections of her file, each with where it came
	// from (Source).
	Sections  []documentSection
	Followups []followupRow
	Contracts []documentLine
	Events    []documentLine
	Requests  []documentLine
}

// documentSection is a section of her file with its source.
type documentSection struct {
	section
	Source string
}

// documentLine is one dated line of her parcours.
type documentLine struct{ When, What, State string }

// categoryTitles are the titles of the file's sections by category, as
// fileSections writes them.
var categoryTitles = map[socle.Category]string{socle.CatIdentity: "Identité", socle.CatContact: "Coordonnées", socle.CatParcours: "Situation et parcours",
	socle.CatSkills: "Compétences et projet", socle.CatHealth: "Santé et handicap", socle.CatJustice: "Justice", socle.CatBank: "Coordonnées bancaires"}

// dataDocumentOf puts an export in words.
func dataDocumentOf(ctx context.Context, w *words, dir httpx.Directory, svc *space.Service, e gate.Export) (*dataDocument, error) {
	d := &dataDocument{Generated: frenchTime(e.Generated)}
	if e.Person == nil {
		return d, nil
	}
	if id := e.Person.Identity; id != nil {
		d.Name = id.GivenName + " " + id.FamilyName
	}
	sources := map[string]string{}
	for _, p := range e.Provenance {
		who := "un logiciel partenaire du réseau"
		if p.OrganisationID != "" {
			who = "une structure du réseau"
			if o, err := dir.Organisation(ctx, p.OrganisationID); err == nil {
				who = o.Name
			}
		}
		sources[categoryTitles[p.Category]] = "Fournies par " + who + " le " + frenchDay(p.At) + "."
	}
	for _, s := range fileSections(ctx, w, e.Person) {
		src := sources[s.Title]
		if src == "" {
			src = "Source non enregistrée (saisie antérieure au suivi des sources)."
		}
		d.Sections = append(d.Sections, documentSection{section: s, Source: src})
	}
	refs, err := svc.Referents(ctx, e.Followups)
	if err != nil {
		return nil, fmt.Errorf("naming the follow-ups: %w", err)
	}
	for _, f := range refs {
		d.Followups = append(d.Followups, followupRow{Organisation: f.Organisation, Kind: f.Kind, Adviser: f.Adviser,
			Start: frenchDate(f.Start), End: frenchDate(f.End), Active: f.Active})
	}
	for _, c := range e.Commitments {
		d.Contracts = append(d.Contracts, documentLine{When: frenchTime(c.CreatedAt), What: fmt.Sprintf("Contrat d'engagement, version %d", c.Version),
			State: labelOf(map[string]string{socle.CommitmentToSign: "À signer", socle.CommitmentSigned: "Signé", socle.CommitmentSuperseded: "Remplacé par un avenant"}, c.Status)})
	}
	for _, ev := range e.Events {
		d.Events = append(d.Events, documentLine{When: frenchTime(ev.Start), What: eventKindLabels[ev.Kind] + " : " + ev.Title, State: ev.Location})
	}
	for _, r := range rectificationRows(e.Rectifications) {
		d.Requests = append(d.Requests, documentLine{When: r.Created, What: r.Section + " : " + r.Requested, State: r.Status})
	}
	return d, nil
}

// spaceDataView is the page of her data, readable, with its downloads.
type spaceDataView struct {
	form
	Document *dataDocument
}

// exportDocument reads the person's export through the gate (audited as
// self_export) and puts it in words; false after answering the error.
func exportDocument(s *parcoursPages, p *gate.Parcours, svc *space.Service, w http.ResponseWriter, r *http.Request) (*dataDocument, bool) {
	req, ok := spaceRequest(s.renderer, svc, w, r)
	if !ok {
		return nil, false
	}
	e, err := p.MyExport(r.Context(), req)
	if err != nil {
		s.renderError(w, r, err)
		return nil, false
	}
	d, err := dataDocumentOf(r.Context(), s.words, s.dir, svc, e)
	if err != nil {
		s.renderError(w, r, err)
		return nil, false
	}
	return d, true
}

func handleSpaceData(s *parcoursPages, p *gate.Parcours, svc *space.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, ok := exportDocument(s, p, svc, w, r)
		if !ok {
			return
		}
		spacePage(s.renderer, svc, w, r, http.StatusOK, "usager-donnees", "Mes données", &spaceDataView{Document: d})
	})
}

// standaloneDocument is the downloaded HTML: one file, its style inline,
// readable without Socle; its body is the page's (partials.html).
var standaloneDocument = template.Must(template.New("mes-donnees").ParseFS(templateFS, "templates/partials.html", "templates/mes-donnees-fichier.tmpl"))

func handleSpaceDataHTML(s *parcoursPages, p *gate.Parcours, svc *space.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, ok := exportDocument(s, p, svc, w, r)
		if !ok {
			return
		}
		var buf bytes.Buffer
		if err := standaloneDocument.ExecuteTemplate(&buf, "mes-donnees-fichier", d); err != nil {
			s.renderError(w, r, fmt.Errorf("writing the data document: %w", err))
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="mes-donnees.html"`)
		w.Header().Set("Cache-Control", "no-store")
		w.Write(buf.Bytes())
	})
}

func handleSpaceDataPDF(s *parcoursPages, p *gate.Parcours, svc *space.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, ok := exportDocument(s, p, svc, w, r)
		if !ok {
			return
		}
		var buf bytes.Buffer
		if err := writeDataPDF(&buf, d, time.Now()); err != nil {
			s.renderError(w, r, fmt.Errorf("writing the data PDF: %w", err))
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `attachment; filename="mes-donnees.pdf"`)
		w.Header().Set("Cache-Control", "no-store")
		w.Write(buf.Bytes())
	})
}

// writeDataPDF writes d as an A4 PDF with the standard Helvetica fonts,
// whose Windows-1252 encoding holds every letter of French.
func writeDataPDF(out *bytes.Buffer, d *dataDocument, at time.Time) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle("Mes données", true)
	pdf.SetAuthor("Socle", true)
	pdf.SetCreationDate(at)
	pdf.SetModificationDate(at)
	tr := pdf.UnicodeTranslatorFromDescriptor("cp1252")
	text := func(s string) string { return tr(strings.ReplaceAll(s, "’", "'")) }
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		pdf.SetFont("Helvetica", "I", 8)
		pdf.CellFormat(0, 10, text(fmt.Sprintf("Mes données — %s — page %d", d.Name, pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	heading := func(s string) {
		pdf.Ln(4)
		pdf.SetFont("Helvetica", "B", 13)
		pdf.SetTextColor(0, 0, 145)
		pdf.MultiCell(0, 7, text(s), "B", "L", false)
		pdf.SetTextColor(22, 22, 22)
		pdf.Ln(1)
	}
	line := func(label, value string) {
		pdf.SetFont("Helvetica", "B", 10)
		pdf.MultiCell(0, 5, text(label), "", "L", false)
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, 5, text(value), "", "L", false)
	}
	note := func(s string) {
		pdf.SetFont("Helvetica", "I", 9)
		pdf.MultiCell(0, 5, text(s), "", "L", false)
	}
	pdf.SetFont("Helvetica", "B", 18)
	pdf.SetTextColor(0, 0, 145)
	pdf.MultiCell(0, 9, text("Mes données"), "", "L", false)
	pdf.SetTextColor(22, 22, 22)
	note(d.Name + " — document établi le " + d.Generated + " par Socle, la plateforme partagée du service public de l'emploi.")

	heading("Mes accompagnements")
	if len(d.Followups) == 0 {
		note("Aucun accompagnement.")
	}
	for _, f := range d.Followups {
		end := "en cours"
		if f.End != "" {
			end = "jusqu'au " + f.End
		}
		adviser := ""
		if f.Adviser != "" {
			adviser = ", référent : " + f.Adviser
		}
		line(f.Organisation, f.Kind+adviser+", depuis le "+f.Start+", "+end+".")
	}
	for _, s := range d.Sections {
		heading(s.Title)
		note(s.Source)
		if len(s.Fields) == 0 {
			note("Aucune information.")
		}
		for _, f := range s.Fields {
			line(f.Label, f.Value)
		}
	}
	lines := func(title, none string, ls []documentLine) {
		heading(title)
		if len(ls) == 0 {
			note(none)
		}
		for _, l := range ls {
			v := l.What
			if l.State != "" {
				v += " — " + l.State
			}
			line(l.When, v)
		}
	}
	lines("Mes contrats d'engagement", "Aucun contrat.", d.Contracts)
	lines("Mes rendez-vous et activités", "Aucun rendez-vous.", d.Events)
	lines("Mes demandes de rectification", "Aucune demande.", d.Requests)
	return pdf.Output(out)
}
