package web

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"testing"
	"time"
)

// pdfStreams returns the decompressed content streams of a PDF.
func pdfStreams(t *testing.T, pdf []byte) []byte {
	t.Helper()
	var all []byte
	for _, m := range regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`).FindAllSubmatch(pdf, -1) {
		r, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue // a stream that is not deflated (fonts, metadata)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("inflating a stream: %v", err)
		}
		all = append(all, b...)
	}
	return all
}

// TestDataPDFHoldsTheDocumentInFrench writes a data document as PDF and
// finds its French text, accents included (Windows-1252 in the standard
// fonts), in the pages' content.
func TestDataPDFHoldsTheDocumentInFrench(t *testing.T) {
	d := &dataDocument{Name: "Léa Dupré", Generated: "03/12/2026 à 14:05",
		Sections:  []documentSection{{section: section{Title: "Coordonnées", Fields: []field{{"Commune", "Saint-Étienne (42)"}}}, Source: "Fournies par Mission Locale de Lyon le 02/03/2025."}},
		Followups: []followupRow{{Organisation: "Mission Locale de Lyon", Kind: "Mission locale", Start: "2 mars 2025"}},
		Events:    []documentLine{{When: "04/12/2026 à 09:30", What: "Rendez-vous : Point CV"}},
	}
	var buf bytes.Buffer
	if err := writeDataPDF(&buf, d, time.Date(2026, 12, 3, 14, 5, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	out := buf.Bytes()
	if !bytes.HasPrefix(out, []byte("%PDF-1.")) || !bytes.HasSuffix(bytes.TrimSpace(out), []byte("%%EOF")) {
		t.Fatalf("not a PDF: %q…", out[:min(len(out), 20)])
	}
	content := pdfStreams(t, out)
	for _, want := range []string{"Mes donn\xe9es", "L\xe9a Dupr\xe9", "Saint-\xc9tienne", "Fournies par Mission Locale de Lyon", "Rendez-vous : Point CV", "Mes accompagnements"} {
		if !bytes.Contains(content, []byte(want)) {
			t.Errorf("the PDF's pages lack %q", want)
		}
	}
}
