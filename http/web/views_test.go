package web

import (
	"reflect"
	"testing"
	"text/template/parse"
)

// pageViews are the typed views of the pages, by template.
var pageViews = map[string]any{
	"home":                      homeView{},
	"structures":                structuresView{},
	"offres":                    offersView{},
	"error":                     errorView{},
	"connexion":                 loginView{},
	"second-facteur":            secondFactorView{},
	"enrolement":                enrolmentView{},
	"recuperation":              recoveryView{},
	"sessions":                  sessionsView{},
	"agents":                    agentsView{},
	"demandes":                  changesView{},
	"verification-renforcee":    stepUpView{},
	"dossier-enquete":           caseView{},
	"recherche":                 searchView{},
	"dossier":                   fileView{},
	"bris-de-glace":             breakGlassView{},
	"bris-de-glace-revue":       breakGlassReviewView{},
	"blocages":                  blocksView{},
	"rectifications-en-attente": rectificationQueueView{},
	"usager-connexion":          linkLoginView{},
	"employeur-connexion":       linkLoginView{},
	"conventions":               registerView{},
	"journal":                   journalView{},
	"journal-entree":            journalEntryView{},
	"personnes-protegees":       protectedView{},
	"declarations":              declarationsView{},
	"mes-explications":          questionsView{},
	"alertes":                   casesView{},
	"usager-dossier":            spaceFileView{},
	"usager-acces":              spaceAccessesView{},
	"portefeuille":              portfolioView{},
	"entreprise":                companyFileView{},
	"offre":                     offerView{},
	"appariement":               matchingView{},
	"employeur-offres":          employerOffersView{},
	"employeur-offre":           employerOfferView{},
	"employeur-candidats":       employerCandidatesView{},
	"orientation":               orientationView{},
	"contrat":                   contractView{},
	"rectifications":            rectificationsView{},
	"agenda":                    agendaView{},
	"indicateurs":               indicatorsView{},
	"usager-parcours":           spaceParcoursView{},
	"usager-contrat":            spaceContractView{},
	"interdit":                  forbiddenRoleView{},
	"accueil-agent":             agentHomeView{},
	"accessibilite":             struct{}{},
	"mentions-legales":          struct{}{},
	"donnees-personnelles":      struct{}{},
	"verifications-identite":    identityChecksView{},
	// The file worked on through the gate.
	"dossier-rubrique":       sectionEditView{},
	"dossier-suivi":          followupView{},
	"clients":                clientsView{},
	"client":                 clientView{},
	"usager-donnees":         spaceDataView{},
	"diagnostic":             diagnosticView{},
	"plan":                   planView{},
	"usager-diagnostic":      spaceDiagnosticView{},
	"orientation-demandes":   handoffPersonView{},
	"demandes-orientation":   handoffQueueView{},
	"demande-orientation":    handoffAnswerView{},
	"commission-orientation": committeeView{},
	"creneaux":               slotsView{},
	"rendez-vous":            dutiesView{},
	"usager-rendez-vous":     myAppointmentsView{},
}

// TestTemplatesReadOnlyTheirViewsFields checks, before any request, that
// every .Data.Field a page template reads is a field of the page's typed
// view: a misspelt or removed field would otherwise fail only when the page
// is rendered.
func TestTemplatesReadOnlyTheirViewsFields(t *testing.T) {
	p := loadPages()
	for name, v := range pageViews {
		tmpl, ok := p.byName[name]
		if !ok {
			t.Errorf("no template %q", name)
			continue
		}
		typ := reflect.TypeOf(v)
		content := tmpl.Lookup("content")
		if content == nil {
			t.Errorf("%s: no content block", name)
			continue
		}
		for _, field := range dataFields(content.Tree.Root) {
			if _, ok := typ.FieldByName(field); !ok {
				t.Errorf("%s reads .Data.%s, which %s lacks", name, field, typ.Name())
			}
		}
	}
}

// TestEveryPageHasATypedView keeps pageViews complete, so that the check
// above covers every page.
func TestEveryPageHasATypedView(t *testing.T) {
	for name := range loadPages().byName {
		if _, ok := pageViews[name]; !ok {
			t.Errorf("page %s has no typed view in pageViews", name)
		}
	}
}

// dataFields returns the fields read as .Data.Field or $.Data.Field under n.
func dataFields(n parse.Node) []string {
	var out []string
	var walk func(parse.Node)
	idents := func(ident []string) {
		if len(ident) > 0 && ident[0] == "$" {
			ident = ident[1:]
		}
		if len(ident) > 1 && ident[0] == "Data" {
			out = append(out, ident[1])
		}
	}
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.TemplateNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n != nil {
				for _, c := range n.Cmds {
					walk(c)
				}
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.ChainNode:
			walk(n.Node)
		case *parse.FieldNode:
			idents(n.Ident)
		case *parse.VariableNode:
			idents(n.Ident)
		}
	}
	walk(n)
	return out
}
