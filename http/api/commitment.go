package api

import (
	"socle"
	"socle/commitment"
	"socle/gate"
)

// commitmentView is a contract as the API returns it: its verification too.
type commitmentView struct {
	*socle.Commitment
	Document     commitment.Document `json:"document"`
	Verification []string            `json:"verification"`
	Verified     bool                `json:"verified"`
}

// viewCommitment parses the contract's document and verifies its hash and
// signatures; it passes on err, the error of the call that returned c.
func viewCommitment(p *gate.Parcours, c *socle.Commitment, err error) (commitmentView, error) {
	if err != nil {
		return commitmentView{}, err
	}
	v := commitmentView{Commitment: c}
	d, err := commitment.Parse(c.Document)
	if err != nil {
		return v, err
	}
	v.Document = d
	lines, err := commitment.Check(p.PublicKey(), c, nil)
	v.Verification, v.Verified = lines, err == nil
	if err != nil {
		v.Verification = append(v.Verification, "Échec de la vérification : "+err.Error())
	}
	return v, nil
}
