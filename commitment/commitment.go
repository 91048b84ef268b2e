// Package commitment draws up the contrat d'engagement from an orientation
// and the agreed actions, as canonical document bytes whose SHA-256 is the
// contract's identity, and signs and verifies its signatures: the platform's
// Ed25519 signature over (hash, signer, role, time). Amendments are new
// versions that name the hash of the version they replace.
package commitment

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"socle"
)

// Document is the content of a contract. Its canonical encoding (JSON, in
// field order, without HTML escaping, one trailing newline) is what the hash
// covers, so every field that a signer agrees to is in it.
type Document struct {
	Format         string    `json:"format"` // "socle.commitment.v1"
	CommitmentID   string    `json:"commitment_id"`
	Version        int       `json:"version"`
	PreviousHash   string    `json:"previous_hash,omitempty"`
	PersonID       string    `json:"person_id"`
	PersonName     string    `json:"person_name"`
	BirthDate      string    `json:"birth_date,omitempty"`
	OrganisationID string    `json:"organisation_id"`
	Organisation   string    `json:"organisation"`
	OrientationID  string    `json:"orientation_id"`
	OperatorKind   string    `json:"operator_kind"`
	Parcours       string    `json:"parcours"`
	Modalite       string    `json:"modalite"`
	Reasons        []string  `json:"reasons"`
	Actions        []string  `json:"actions"`
	Obligations    []string  `json:"obligations"`
	DrawnUpAt      time.Time `json:"drawn_up_at"`

	// PlanVersion is the version of the plan d'action the actions come
	// from, 0 for actions written without a plan.
	PlanVersion int `json:"plan_version,omitempty"`
}

// Format is the format tag of the documents this package writes.
const Format = "socle.commitment.v1"

// Obligations are the mutual commitments every contract states.
var Obligations = []string{
	"La personne s'engage à participer aux rendez-vous et aux actions prévus, et à informer son référent de tout changement de situation.",
	"La structure référente s'engage à accompagner la personne, à lui proposer des actions adaptées à sa situation et à faire le point avec elle au moins une fois par trimestre.",
	"Le contrat peut être modifié par avenant, à la demande de la personne ou de son référent ; chaque avenant est une nouvelle version signée.",
}

// Input is what a new contract is drawn up from.
type Input struct {
	CommitmentID string
	Version      int
	PreviousHash string
	Person       *socle.Person // its identity section names the person
	Organisation *socle.Organisation
	Orientation  *socle.Orientation
	Actions      []string
	At           time.Time
	PlanVersion  int
}

// New draws up the document of a contract and checks it.
func New(in Input) (Document, error) {
	var p socle.Problems
	if in.Orientation == nil || in.Orientation.Status != socle.OrientationStatusConfirmed {
		p.Add("orientation", "a confirmed orientation is required")
	}
	if in.Person == nil || in.Person.Identity == nil {
		p.Add("person", "the identity of the person is required")
	}
	if in.Organisation == nil {
		p.Add("organisation", "required")
	}
	var actions []string
	for _, a := range in.Actions {
		if a = strings.TrimSpace(a); a != "" {
			if len(a) > 500 {
				p.Add("actions", "at most 500 characters each")
			}
			actions = append(actions, a)
		}
	}
	if len(actions) == 0 || len(actions) > 30 {
		p.Add("actions", "between 1 and 30 actions")
	}
	if in.Version < 1 {
		p.Add("version", "a positive number")
	}
	if in.Version > 1 && in.PreviousHash == "" {
		p.Add("previous_hash", "an amendment names the version it replaces")
	}
	if err := p.Err("commitment"); err != nil {
		return Document{}, err
	}
	o, id := in.Orientation, in.Person.Identity
	d := Document{
		Format: Format, CommitmentID: in.CommitmentID, Version: in.Version, PreviousHash: in.PreviousHash,
		PersonID: in.Person.ID, PersonName: id.GivenName + " " + id.FamilyName,
		OrganisationID: in.Organisation.ID, Organisation: in.Organisation.Name,
		OrientationID: o.ID, OperatorKind: string(o.OperatorKind), Parcours: o.Parcours, Modalite: o.Modalite,
		Reasons: append([]string{}, o.Reasons...), Actions: actions, Obligations: Obligations,
		DrawnUpAt: in.At.UTC().Truncate(time.Second), PlanVersion: in.PlanVersion,
	}
	if !id.BirthDate.IsZero() {
		d.BirthDate = id.BirthDate.String()
	}
	if o.OverrideReason != "" {
		d.Reasons = append(d.Reasons, "Choix du conseiller : "+o.OverrideReason)
	}
	return d, nil
}

// Canonical returns the bytes the hash covers.
func (d Document) Canonical() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return nil, fmt.Errorf("encoding the contract: %w", err)
	}
	return buf.Bytes(), nil
}

// Parse decodes canonical bytes and checks that they are canonical, so that
// a document read back hashes to what was signed.
func Parse(b []byte) (Document, error) {
	var d Document
	if err := json.Unmarshal(b, &d); err != nil {
		return d, fmt.Errorf("decoding the contract: %w", err)
	}
	if d.Format != Format {
		return d, fmt.Errorf("contract format %q, want %q", d.Format, Format)
	}
	c, err := d.Canonical()
	if err != nil {
		return d, err
	}
	if !bytes.Equal(c, b) {
		return d, fmt.Errorf("the contract's bytes are not canonical")
	}
	return d, nil
}

// Hash returns the hex SHA-256 of document bytes.
func Hash(doc []byte) string {
	h := sha256.Sum256(doc)
	return hex.EncodeToString(h[:])
}

// Signer signs contracts with the platform's Ed25519 key.
type Signer struct{ key ed25519.PrivateKey }

// GenerateKey returns a new private key seed, hex-encoded, to keep in the
// data directory.
func GenerateKey() (string, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return "", fmt.Errorf("generating the contract signing key: %w", err)
	}
	return hex.EncodeToString(seed), nil
}

// NewSigner returns the signer of a hex-encoded seed from GenerateKey.
func NewSigner(seedHex string) (*Signer, error) {
	seed, err := hex.DecodeString(strings.TrimSpace(seedHex))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("contract signing key: expected %d hexadecimal digits", 2*ed25519.SeedSize)
	}
	return &Signer{key: ed25519.NewKeyFromSeed(seed)}, nil
}

// PublicKey returns the key that verifies the signer's signatures.
func (s *Signer) PublicKey() ed25519.PublicKey { return s.key.Public().(ed25519.PublicKey) }

// message is what a signature covers: a domain tag, then the hash, the
// role, the signer and the time, one per line, so that no field can be
// shifted into another.
func message(hash string, sig socle.CommitmentSignature) []byte {
	return []byte(Format + " signature\n" + hash + "\n" + sig.Role + "\n" + sig.SignerID + "\n" +
		sig.SignedAt.UTC().Format(time.RFC3339Nano) + "\n")
}

// Sign returns the signature of the document hash by signer in role at t.
func (s *Signer) Sign(hash, role, signerID string, t time.Time) (socle.CommitmentSignature, error) {
	if role != socle.SignerPerson && role != socle.SignerAdviser {
		return socle.CommitmentSignature{}, socle.Errorf(socle.EINVALID, "signer role %q: %s or %s", role, socle.SignerPerson, socle.SignerAdviser)
	}
	if len(hash) != 64 || signerID == "" {
		return socle.CommitmentSignature{}, socle.Errorf(socle.EINVALID, "a signature needs the document hash and the signer")
	}
	sig := socle.CommitmentSignature{Role: role, SignerID: signerID, SignedAt: t.UTC().Truncate(time.Microsecond)}
	sig.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(s.key, message(hash, sig)))
	return sig, nil
}

// Verify checks a signature of the document hash with the platform's public key.
func Verify(pub ed25519.PublicKey, hash string, sig socle.CommitmentSignature) error {
	raw, err := base64.StdEncoding.DecodeString(sig.Signature)
	if err != nil || len(raw) != ed25519.SignatureSize {
		return fmt.Errorf("signature of the %s: malformed", sig.Role)
	}
	if !ed25519.Verify(pub, message(hash, sig), raw) {
		return fmt.Errorf("signature of the %s does not verify", sig.Role)
	}
	return nil
}

// Check verifies a stored contract end to end: its document hashes to its
// recorded hash and every signature verifies. It returns one French line per
// check, for the verification page, and the first failure. A line names
// the signer (the person from the document, an adviser from advisers, by
// agent id), never by an id, and dates the signature in Europe/Paris.
func Check(pub ed25519.PublicKey, c *socle.Commitment, advisers map[string]string) ([]string, error) {
	var lines []string
	if got := Hash(c.Document); got != c.DocumentHash {
		return lines, fmt.Errorf("the document hashes to %s, not to the recorded %s", got, c.DocumentHash)
	}
	lines = append(lines, "L'empreinte SHA-256 du document correspond : "+c.DocumentHash+".")
	for _, s := range c.Signatures {
		if err := Verify(pub, c.DocumentHash, s); err != nil {
			return lines, err
		}
		who := advisers[s.SignerID]
		if s.Role == socle.SignerPerson {
			if d, err := Parse(c.Document); err == nil {
				who = d.PersonName
			}
		}
		when := s.SignedAt.In(paris).Format("02/01/2006 à 15:04")
		if who != "" {
			when = who + ", " + when
		}
		lines = append(lines, fmt.Sprintf("La signature %s (%s) est vérifiée avec la clé de la plateforme.", roleLabel(s.Role), when))
	}
	return lines, nil
}

func roleLabel(role string) string {
	switch role {
	case socle.SignerPerson:
		return "de la personne"
	case socle.SignerAdviser:
		return "du conseiller"
	}
	return role
}
