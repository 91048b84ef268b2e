package directory

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"socle"
	"socle/audit"
)

// HRColumns are the columns of the HR export `socle import agents` reads,
// in any order, named on the first line (separator "," or ";"). Only
// courriel is required; a missing value is unknown and never matches.
//
//	courriel        the agent's e-mail address in Socle (finds the agent)
//	nir             her NIR (15 characters, spaces allowed)
//	date_naissance  her birth date (AAAA-MM-JJ or JJ/MM/AAAA)
//	nom             her family name
//	adresse         number and street of her home
//	code_postal     postal code of her home
//	code_commune    INSEE code of her home commune
//	date_entree     first day of employment
//	date_sortie     last day of employment (empty while employed)
var HRColumns = []string{"courriel", "nir", "date_naissance", "nom", "adresse", "code_postal", "code_commune", "date_entree", "date_sortie"}

// StaffRow is one line of the HR export.
type StaffRow struct {
	Line       int
	Email      string
	NIR        string
	BirthDate  socle.Date
	FamilyName string
	Home       Home
	Start, End socle.Date
}

// LineErrors lists what is wrong in a file, line by line.
type LineErrors []string

func (e LineErrors) Error() string {
	const most = 20
	if len(e) > most {
		return strings.Join(e[:most], "\n") + fmt.Sprintf("\n… and %d more", len(e)-most)
	}
	return strings.Join(e, "\n")
}

// ReadHR reads an HR export. Every malformed line is reported with its
// number (LineErrors), and then no row is returned.
func ReadHR(r io.Reader) ([]StaffRow, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading the HR export: %w", err)
	}
	text := strings.TrimPrefix(string(data), "\ufeff") // spreadsheets write a byte-order mark
	first, _, _ := strings.Cut(text, "\n")
	cr := csv.NewReader(strings.NewReader(text))
	if strings.Count(first, ";") > strings.Count(first, ",") {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, LineErrors{"line 1: the file is empty; the first line names the columns (" + strings.Join(HRColumns, ", ") + ")"}
	} else if err != nil {
		return nil, LineErrors{fmt.Sprintf("line 1: %v", err)}
	}
	col := map[string]int{}
	var errs LineErrors
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !contains(HRColumns, h) {
			errs = append(errs, fmt.Sprintf("line 1: unknown column %q (known: %s)", h, strings.Join(HRColumns, ", ")))
			continue
		}
		col[h] = i
	}
	if _, ok := col["courriel"]; !ok {
		errs = append(errs, "line 1: the column courriel is required")
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var rows []StaffRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			errs = append(errs, fmt.Sprintf("line %d: %v", line, err))
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		row := StaffRow{Line: line, Email: strings.ToLower(get("courriel")), NIR: strings.ToUpper(strings.ReplaceAll(get("nir"), " ", "")), FamilyName: get("nom"),
			Home: Home{Address: get("adresse"), PostalCode: get("code_postal"), CommuneCode: get("code_commune")}}
		var problems []string
		if !socle.ValidEmail(row.Email) {
			problems = append(problems, "courriel: not a valid e-mail address")
		}
		if row.NIR != "" && !socle.ValidNIR(row.NIR) {
			problems = append(problems, "nir: not a valid NIR")
		}
		for _, d := range []struct {
			name string
			to   *socle.Date
		}{{"date_naissance", &row.BirthDate}, {"date_entree", &row.Start}, {"date_sortie", &row.End}} {
			v, err := parseHRDate(get(d.name))
			if err != nil {
				problems = append(problems, d.name+": "+err.Error())
			}
			*d.to = v
		}
		if !row.Start.IsZero() && !row.End.IsZero() && row.End.Before(row.Start) {
			problems = append(problems, "date_sortie: before date_entree")
		}
		if row.Home.CommuneCode != "" && !socle.ValidCommuneCode(row.Home.CommuneCode) {
			problems = append(problems, "code_commune: not an INSEE commune code")
		}
		if len(problems) > 0 {
			errs = append(errs, fmt.Sprintf("line %d: %s", line, strings.Join(problems, "; ")))
			continue
		}
		rows = append(rows, row)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return rows, nil
}

func parseHRDate(s string) (socle.Date, error) {
	if s == "" {
		return socle.Date{}, nil
	}
	for _, layout := range []string{"2006-01-02", "02/01/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return socle.DateOf(t), nil
		}
	}
	return socle.Date{}, fmt.Errorf("%q is not a date (AAAA-MM-JJ or JJ/MM/AAAA)", s)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ImportStore is what the HR import writes.
type ImportStore interface {
	AgentByEmail(ctx context.Context, email string) (*socle.Agent, error)
	PutStaffRecord(ctx context.Context, r *socle.StaffRecord) error
}

// ImportResult counts what an import did.
type ImportResult struct {
	Imported int
	Former   int // with an end date in the past
	// StillEnabled lists former staff whose account is still enabled, by
	// e-mail: their organisation's administrators should disable them.
	StillEnabled []string
}

// ImportHR resolves every row to its agent, then writes the records with
// their marks. An unknown e-mail address is an error naming its line, and
// then nothing is written. progress is called after each record.
func ImportHR(ctx context.Context, s ImportStore, m *Marker, rows []StaffRow, today socle.Date, progress func()) (ImportResult, error) {
	var res ImportResult
	var errs LineErrors
	agents := make([]*socle.Agent, len(rows))
	for i, row := range rows {
		a, err := s.AgentByEmail(ctx, row.Email)
		if socle.ErrorCode(err) == socle.ENOTFOUND {
			errs = append(errs, fmt.Sprintf("line %d: no agent has the e-mail address of this line", row.Line))
			continue
		} else if err != nil {
			return res, fmt.Errorf("line %d: finding the agent: %w", row.Line, err)
		}
		agents[i] = a
	}
	if len(errs) > 0 {
		return res, errs
	}
	for i, row := range rows {
		r := &socle.StaffRecord{AgentID: agents[i].ID, Marks: m.Marks(row.NIR, row.BirthDate, row.FamilyName, row.Home), Start: row.Start, End: row.End}
		if err := s.PutStaffRecord(ctx, r); err != nil {
			return res, fmt.Errorf("line %d: %w", row.Line, err)
		}
		res.Imported++
		if !row.End.IsZero() && row.End.Before(today) {
			res.Former++
			if !agents[i].Disabled {
				res.StillEnabled = append(res.StillEnabled, row.Email)
			}
		}
		if progress != nil {
			progress()
		}
	}
	return res, nil
}

// DisableStore is what DisableAgent writes: the account, its sessions and
// the HR record.
type DisableStore interface {
	Agent(ctx context.Context, id string) (*socle.Agent, error)
	AgentByEmail(ctx context.Context, email string) (*socle.Agent, error)
	UpdateAgent(ctx context.Context, a *socle.Agent) error
	DeleteSessionsOf(ctx context.Context, agentID string) error
	StaffRecords(ctx context.Context) ([]*socle.StaffRecord, error)
	PutStaffRecord(ctx context.Context, r *socle.StaffRecord) error
}

// DisableAgent closes the account of a staff member who leaves (found by
// id or e-mail address) and keeps her last day of employment in her HR
// record, the other facts of which stay: after end she is former staff,
// and reading her file is the former-employee pattern, not the colleague
// one. Her sessions end at once. The change is audited before it is
// written; an error of the auditor leaves everything untouched.
func DisableAgent(ctx context.Context, s DisableStore, auditor socle.Auditor, who string, end socle.Date, now time.Time) (*socle.Agent, error) {
	if end.IsZero() {
		return nil, socle.Errorf(socle.EINVALID, "the last day of employment (--end) is required")
	}
	a, err := s.Agent(ctx, who)
	if socle.ErrorCode(err) == socle.ENOTFOUND && strings.Contains(who, "@") {
		a, err = s.AgentByEmail(ctx, who)
	}
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		return nil, socle.Errorf(socle.ENOTFOUND, "no agent has the id or e-mail address %q", who)
	} else if err != nil {
		return nil, fmt.Errorf("finding the agent: %w", err)
	}
	records, err := s.StaffRecords(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the HR records: %w", err)
	}
	rec := &socle.StaffRecord{AgentID: a.ID}
	for _, r := range records {
		if r.AgentID == a.ID {
			rec = r
		}
	}
	if !rec.Start.IsZero() && end.Before(rec.Start) {
		return nil, socle.Errorf(socle.EINVALID, "the last day of employment %s is before the first one %s", end, rec.Start)
	}
	err = audit.Append(ctx, auditor, now, audit.Act{Action: "agent_disabled", OrganisationID: a.OrganisationID,
		ResourceKind: "agent", ResourceID: a.ID, Allowed: true, Explanation: "Départ de l'agent : dernier jour " + end.String()})
	if err != nil {
		return nil, fmt.Errorf("auditing the disabling: %w", err)
	}
	rec.End, rec.UpdatedAt = end, now.UTC()
	if err := s.PutStaffRecord(ctx, rec); err != nil {
		return nil, fmt.Errorf("keeping the last day of employment: %w", err)
	}
	a.Disabled = true
	if err := s.UpdateAgent(ctx, a); err != nil {
		return nil, fmt.Errorf("disabling the account: %w", err)
	}
	if err := s.DeleteSessionsOf(ctx, a.ID); err != nil {
		return nil, fmt.Errorf("ending the sessions: %w", err)
	}
	return a, nil
}
