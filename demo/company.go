package demo

import (
	"strconv"
	"strings"
	"time"

	"socle"
)

// smic is the gross monthly minimum wage for 35 hours a week, in euros.
const smic = 1802

var legalForms = []string{" SAS", " SARL", " SA", " EURL"}

var channels = weighted[string]{{"email", 55}, {"telephone", 35}, {"courrier", 10}}.table()

// companies adds n companies, with their contacts and offers, to b.
func (g *generator) companies(b *socle.Batch, n int) {
	r := g.r
	for range n {
		pl := g.pickPlace()
		commune := g.pickCommune(pl)
		ni := r.intn(len(nafCodes))
		activity := nafCodes[ni]

		tmpl, fill := pick(r, activity.names), ""
		switch {
		case strings.Contains(tmpl, "de {}"):
			tmpl, fill = strings.Replace(tmpl, "de {}", "{}", 1), deName(shortCommune(commune.Name))
		case r.intn(2) == 0:
			fill = familyNames[g.family.draw(r)]
		default:
			fill = shortCommune(commune.Name)
		}
		name := strings.Replace(tmpl, "{}", fill, 1)
		if r.permille(300) {
			name += pick(r, legalForms)
		}
		c := &socle.Company{
			ID:          socle.NewIDFrom(r, socle.PrefixCompany),
			SIRET:       g.siret(""),
			Name:        name,
			NAF:         activity.code,
			Size:        g.sizeTable.draw(r),
			Address:     strconv.Itoa(r.between(1, 300)) + " " + pick(r, streets),
			PostalCode:  pick(r, commune.PostalCodes),
			CommuneCode: commune.Code,
			CreatedAt:   g.daysAgo(r.between(30, 3*365)).Add(10 * time.Hour),
		}
		b.Companies = append(b.Companies, c)

		domain := slug(name)
		if len(domain) > 30 {
			domain = strings.TrimRight(domain[:30], "-")
		}
		for range r.between(1, 3) {
			b.Contacts = append(b.Contacts, g.contact(c, domain))
		}
		for range r.between(1, 3) {
			b.Offers = append(b.Offers, g.offer(c, pl, commune, ni))
		}
	}
}

func (g *generator) contact(c *socle.Company, domain string) *socle.CompanyContact {
	r := g.r
	female := r.intn(2) == 0
	given, givenSlug := g.givenName(female)
	fi := g.family.draw(r)
	ct := &socle.CompanyContact{
		ID:               socle.NewIDFrom(r, socle.PrefixContact),
		CompanyID:        c.ID,
		GivenName:        given,
		FamilyName:       familyNames[fi],
		Role:             pick(r, contactRoles)[sexIndex(female)],
		Consent:          r.permille(850),
		PreferredChannel: channels.draw(r),
	}
	if r.permille(900) {
		ct.Email = givenSlug + "." + g.familySlug[fi] + "@" + domain + ".fr"
	}
	if r.permille(850) {
		phone := make([]byte, 0, 10)
		if r.intn(2) == 0 {
			phone = append(phone, '0', byte('1'+r.intn(5))) // a landline
		} else {
			phone = append(phone, '0', '6')
		}
		for range 8 {
			phone = append(phone, byte('0'+r.intn(10)))
		}
		ct.Phone = string(phone)
	}
	return ct
}

func sexIndex(female bool) int {
	if female {
		return 1
	}
	return 0
}

// offer returns an offer of c for a job its activity employs, in its
// commune or elsewhere in its département.
func (g *generator) offer(c *socle.Company, pl *place, commune *socle.Commune, nafIndex int) *socle.Offer {
	r := g.r
	job := ROMECodes[pick(r, g.nafJobs[nafIndex])]
	o := &socle.Offer{
		ID:           socle.NewIDFrom(r, socle.PrefixOffer),
		CompanyID:    c.ID,
		ROMECode:     job.Code,
		Title:        job.Label,
		CommuneCode:  commune.Code,
		Contract:     g.offerContract.draw(r),
		HoursPerWeek: 35,
		StartDate:    socle.DateOf(g.daysAgo(-r.between(7, 60))),
		Open:         r.permille(850),
		CreatedAt:    g.daysAgo(r.intn(60)).Add(time.Duration(8*3600+r.intn(9*3600)) * time.Second),
	}
	if r.permille(400) {
		o.CommuneCode = g.pickCommune(pl).Code
	}
	if len(pl.agencies) > 0 && r.permille(700) {
		o.OrganisationID = pick(r, pl.agencies).o.ID
	}
	if o.Contract != "alternance" && r.permille(250) {
		o.HoursPerWeek = pick(r, []int{20, 24, 28, 30})
	}
	// Monthly gross salary for the hours, rounded up to ten euros.
	full := smic + r.intn(100)
	if level := qualified[job.Code]; level > 0 {
		full = smic + level*r.between(250, 700)
	}
	if o.Contract == "alternance" {
		full = r.between(1000, 1400)
	}
	o.SalaryMin = (full*o.HoursPerWeek/35 + 9) / 10 * 10
	o.SalaryMax = o.SalaryMin + r.intn(13)*50
	domain := g.domainSkills[job.Code[0]-'A']
	first := r.intn(len(domain))
	for k := range r.between(2, 3) {
		o.Skills = append(o.Skills, domain[(first+k)%len(domain)])
	}
	return o
}
