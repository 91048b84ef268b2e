package commitment

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"time"

	"socle"
)

//go:embed contract.css
var stylesheet []byte

// Stylesheet returns the CSS of the contract, screen and print (@media
// print), to serve from the site's origin: the content security policy
// forbids inline styles.
func Stylesheet() []byte { return stylesheet }

// View is what the rendering shows: the document, its hash and signatures.
type View struct {
	Document   Document
	Hash       string
	Status     string
	Signatures []socle.CommitmentSignature
	// PublicKey is the platform's key, printed so that the signatures can
	// be checked from paper.
	PublicKey []byte
	// Advisers names the advisers who signed, by agent id: the contract
	// shows a name, never an id. An adviser absent from it is not named.
	Advisers map[string]string
}

// SignerName is the name of the signer of s: the person's name from the
// document, the adviser's from Advisers, "" when unknown.
func (v View) SignerName(s socle.CommitmentSignature) string {
	if s.Role == socle.SignerPerson {
		return v.Document.PersonName
	}
	return v.Advisers[s.SignerID]
}

var paris = func() *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return l
}()

var funcs = template.FuncMap{
	"frenchTime": func(t time.Time) string { return t.In(paris).Format("02/01/2006 à 15:04") },
	"operator":   func(k string) string { return socle.OrgKind(k).Label() },
	"role": func(r string) string {
		if r == socle.SignerPerson {
			return "La personne"
		}
		return "Le conseiller"
	},
	"b64": func(b []byte) string { return base64.StdEncoding.EncodeToString(b) },
	// frenchDay writes a document's day (2006-01-02) the French way.
	"frenchDay": func(s string) string {
		if d, err := time.Parse("2006-01-02", s); err == nil {
			return d.Format("02/01/2006")
		}
		return s
	},
}

var tmpl = template.Must(template.New("contract").Funcs(funcs).Parse(`
{{define "article"}}<article class="contrat" id="contrat">
<header>
<p class="contrat-entete">Contrat d'engagement — version {{.Document.Version}}</p>
<h2>{{.Document.PersonName}}</h2>
<p>{{if .Document.BirthDate}}Née ou né le {{frenchDay .Document.BirthDate}} — {{end}}établi le {{frenchTime .Document.DrawnUpAt}} par {{.Document.Organisation}}</p>
</header>
<section><h3>Orientation</h3>
<dl class="contrat-orientation">
<dt>Opérateur</dt><dd>{{operator .Document.OperatorKind}}</dd>
<dt>Parcours</dt><dd>{{.Document.Parcours}}</dd>
<dt>Modalité</dt><dd>{{.Document.Modalite}}</dd>
</dl>
<ul>{{range .Document.Reasons}}<li>{{.}}</li>{{end}}</ul>
</section>
<section><h3>Actions convenues</h3>
<ol class="contrat-actions">{{range .Document.Actions}}<li>{{.}}</li>{{end}}</ol>
</section>
<section><h3>Engagements réciproques</h3>
<ul>{{range .Document.Obligations}}<li>{{.}}</li>{{end}}</ul>
</section>
<section class="contrat-signatures"><h3>Signatures</h3>
{{if .Signatures}}<ul>{{range .Signatures}}<li class="signature-{{.Role}}">{{role .Role}}{{with $.SignerName .}} ({{.}}){{end}} a signé le {{frenchTime .SignedAt}}.<br><span class="empreinte">Signature Ed25519 : {{.Signature}}</span></li>{{end}}</ul>
{{else}}<p>Pas encore signé.</p>{{end}}
</section>
<footer class="contrat-preuve">
<p>Empreinte SHA-256 du document : <span class="empreinte">{{.Hash}}</span></p>
{{if .Document.PreviousHash}}<p>Avenant à la version d'empreinte <span class="empreinte">{{.Document.PreviousHash}}</span></p>{{end}}
{{if .PublicKey}}<p>Clé publique Ed25519 de la plateforme : <span class="empreinte">{{b64 .PublicKey}}</span></p>{{end}}
</footer>
</article>{{end}}
{{define "page"}}<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Contrat d'engagement — {{.View.Document.PersonName}}</title>
<link rel="stylesheet" href="{{.CSS}}"></head>
<body class="contrat-impression">{{template "article" .View}}</body></html>{{end}}`))

// HTML returns the contract as an HTML fragment (an article) for a page.
func HTML(v View) (template.HTML, error) {
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "article", v); err != nil {
		return "", fmt.Errorf("rendering the contract: %w", err)
	}
	return template.HTML(buf.String()), nil
}

// Page writes the contract as a standalone, print-ready HTML page whose
// stylesheet (Stylesheet) is served at cssURL.
func Page(w io.Writer, v View, cssURL string) error {
	if err := tmpl.ExecuteTemplate(w, "page", struct {
		View View
		CSS  string
	}{v, cssURL}); err != nil {
		return fmt.Errorf("rendering the contract: %w", err)
	}
	return nil
}
