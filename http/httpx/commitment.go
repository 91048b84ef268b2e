package httpx

import (
	"socle"
	"socle/commitment"
	"socle/gate"
)

// CommitmentView is a contract as the API returns it: its verification too.
type CommitmentView struct {
	*socle.Commitment
	Document     commitment.Document `json:"document"`
	Verification []string            `json:"verification"`
	Verified     bool                `json:"verified"`
}

func ViewCommitment(p *gate.Parcours, c *socle.Commitment) (CommitmentView, error) {
	v := CommitmentView{Commitment: c}
	d, err := commitment.Parse(c.Document)
	if err != nil {
		return v, err
	}
	v.Document = d
	lines, err := p.Verify(c)
	v.Verification, v.Verified = lines, err == nil
	if err != nil {
		v.Verification = append(v.Verification, "Échec de la vérification : "+err.Error())
	}
	return v, nil
}
