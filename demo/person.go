package demo

import (
	"context"
	"strconv"
	"time"

	"socle"
)

// Ages of persons by situation.
const (
	youthMinAge, youthMaxAge = 16, 25
	adultMinAge, adultMaxAge = 18, 64
	rsaMinAge                = 25
	daysPerYear100           = 36525 // days in 100 years
	registrationWindow       = 3 * 365
)

// persons adds n persons and their follow-ups to b. Sections are allocated
// in slabs: one allocation per batch, not per person.
func (g *generator) persons(ctx context.Context, b *socle.Batch, n int) error {
	if n <= 0 {
		return nil
	}
	var (
		persons   = make([]socle.Person, n)
		ids       = make([]socle.Identity, n)
		contacts  = make([]socle.Contact, n)
		parcours  = make([]socle.Parcours, n)
		skills    = make([]socle.Skills, n)
		banks     = make([]socle.Bank, 0, n)
		followups = make([]socle.Followup, 0, 2*n)
		provs     = make([]socle.Provenance, 0, 5*n)
		strs      = make([]string, 0, 12*n)
	)
	b.Persons = make([]*socle.Person, n)
	b.Followups = make([]*socle.Followup, 0, 2*n)
	for i := range n {
		if i&255 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		p := &persons[i]
		p.Identity, p.Contact, p.Parcours, p.Skills = &ids[i], &contacts[i], &parcours[i], &skills[i]
		pl, regDays := g.person(p, &strs)
		if g.r.permille(600) {
			banks = append(banks, socle.Bank{})
			p.Bank = &banks[len(banks)-1]
			g.bank(p.Bank)
		}
		b.Persons[i] = p
		first := len(followups)
		for _, o := range g.followers(pl, p.Parcours.Situation) {
			followups = append(followups, g.followup(p, o, regDays))
			b.Followups = append(b.Followups, &followups[len(followups)-1])
		}
		provs = appendProvenance(provs, p, &followups[first])
	}
	b.Provenance = provs
	return nil
}

// person fills p, whose sections are allocated, and returns where the
// person lives and how many days ago they registered.
func (g *generator) person(p *socle.Person, strs *[]string) (*place, int) {
	r := g.r
	pl := g.pickPlace()
	commune := g.pickCommune(pl)
	situation := g.situations.draw(r)

	var age int
	switch situation {
	case socle.SituationYouth:
		age = r.between(youthMinAge, youthMaxAge)
	case socle.SituationRSA:
		age = r.between(rsaMinAge, adultMaxAge)
	default:
		age = r.between(adultMinAge, adultMaxAge)
	}
	ageDays := age*daysPerYear100/100 + r.intn(365)
	birth := g.daysAgo(ageDays)
	female := r.intn(2) == 0
	sex := "M"
	if female {
		sex = "F"
	}
	given, givenSlug := g.givenName(female)
	fi := g.family.draw(r)

	// Every string of the person is written to one buffer and converted at
	// once: one allocation instead of five.
	buf := g.buf[:0]
	buf = g.appendNIR(buf, female, birth, pl.dep.Code)
	nirEnd := len(buf)
	if r.permille(850) {
		buf = append(buf, givenSlug...)
		buf = append(buf, '.')
		buf = append(buf, g.familySlug[fi]...)
		if r.permille(400) {
			buf = appendTwo(buf, birth.Year()%100)
		}
		buf = append(buf, '@')
		buf = append(buf, g.providers.draw(r)...)
	}
	emailEnd := len(buf)
	if r.permille(920) {
		buf = append(buf, '0', byte('6'+r.intn(2)))
		for range 8 {
			buf = append(buf, byte('0'+r.intn(10)))
		}
	}
	phoneEnd := len(buf)
	buf = strconv.AppendInt(buf, int64(r.between(1, 150)), 10)
	if r.permille(30) {
		buf = append(buf, " bis"...)
	}
	buf = append(buf, ' ')
	buf = append(buf, pick(r, streets)...)
	g.buf = buf
	s := string(buf)

	p.ID = socle.NewIDFrom(r, socle.PrefixPerson)
	id := p.Identity
	id.NIR = s[:nirEnd]
	id.GivenName = given
	id.FamilyName = familyNames[fi]
	id.BirthDate = socle.DateOf(birth)
	id.Sex = sex

	ct := p.Contact
	ct.Email = s[nirEnd:emailEnd]
	ct.Phone = s[emailEnd:phoneEnd]
	ct.Address = s[phoneEnd:]
	ct.CommuneCode = commune.Code
	ct.PostalCode = pick(r, commune.PostalCodes)

	// Registered in the last three years, and at 16 or older.
	regDays := r.intn(min(registrationWindow, ageDays-youthMinAge*daysPerYear100/100) + 1)
	pa := p.Parcours
	pa.Situation = situation
	pa.RegisteredOn = socle.DateOf(g.daysAgo(regDays))
	if situation == socle.SituationYouth {
		pa.EducationLevel = g.educationYouth.draw(r)
	} else {
		pa.EducationLevel = g.educationAdult.draw(r)
	}
	var nConstraints int
	switch situation {
	case socle.SituationRSA:
		nConstraints = r.between(1, 3)
	case socle.SituationYouth, socle.SituationDisabled:
		nConstraints = r.intn(3)
	default:
		nConstraints = r.intn(2)
	}
	start := len(*strs)
	first := r.intn(len(socle.Constraints))
	if situation == socle.SituationDisabled && nConstraints > 0 {
		first = 5 // "sante"
	}
	for k := range nConstraints {
		// A stride of 3 visits the 7 constraints without repeating one.
		*strs = append(*strs, socle.Constraints[(first+3*k)%len(socle.Constraints)])
	}
	if nConstraints > 0 {
		pa.Constraints = (*strs)[start:len(*strs):len(*strs)]
	}

	g.skills(p.Skills, situation, strs)

	switch {
	case situation == socle.SituationDisabled:
		p.Health = &socle.Health{
			RQTH:      true,
			RQTHUntil: socle.DateOf(g.daysAgo(-r.between(180, 5*365))),
			Notes:     pick(r, healthNotes),
		}
	case r.permille(10):
		p.Justice = &socle.Justice{Measure: pick(r, justiceMeasures), Until: socle.DateOf(g.daysAgo(-r.between(90, 730)))}
	}

	p.CreatedAt = g.daysAgo(regDays).Add(time.Duration(8*3600+r.intn(10*3600)) * time.Second)
	p.UpdatedAt = p.CreatedAt.Add(time.Duration(r.intn(regDays+1)) * 24 * time.Hour)
	if p.UpdatedAt.After(g.now) {
		p.UpdatedAt = g.now
	}
	if p.CreatedAt.After(p.UpdatedAt) {
		p.CreatedAt = p.UpdatedAt
	}
	return pl, regDays
}

// skills fills the jobs sought, the skills, languages and preferences.
func (g *generator) skills(sk *socle.Skills, situation socle.Situation, strs *[]string) {
	r := g.r
	start := len(*strs)
	main := ROMECodes[r.intn(len(ROMECodes))]
	*strs = append(*strs, main.Code)
	for range r.intn(3) {
		code := ROMECodes[r.intn(len(ROMECodes))].Code
		if r.permille(700) { // a neighbouring job of the same domain
			code = ROMECodes[pick(r, g.romeByDomain[main.Code[0]-'A'])].Code
		}
		if !containsFrom(*strs, start, code) {
			*strs = append(*strs, code)
		}
	}
	sk.ROMECodes = (*strs)[start:len(*strs):len(*strs)]

	start = len(*strs)
	domain := g.domainSkills[main.Code[0]-'A']
	first, n := r.intn(len(domain)), r.between(2, min(4, len(domain)))
	for k := range n {
		*strs = append(*strs, domain[(first+k)%len(domain)])
	}
	sk.Skills = (*strs)[start:len(*strs):len(*strs)]

	start = len(*strs)
	if r.permille(970) {
		*strs = append(*strs, "fr")
	}
	for range r.intn(3) {
		if l := g.languageTable.draw(r); !containsFrom(*strs, start, l) {
			*strs = append(*strs, l)
		}
	}
	if len(*strs) > start {
		sk.Languages = (*strs)[start:len(*strs):len(*strs)]
	}

	switch situation {
	case socle.SituationYouth:
		sk.DrivingLicence = r.permille(350)
		if r.permille(300) {
			sk.ContractWanted = "alternance"
		} else {
			sk.ContractWanted = g.contractWanted.draw(r)
		}
	default:
		sk.DrivingLicence = r.permille(720)
		sk.ContractWanted = g.contractWanted.draw(r)
	}
	sk.HoursWanted = 35
	if r.permille(300) || situation == socle.SituationDisabled && r.permille(400) {
		sk.HoursWanted = pick(r, []int{20, 24, 28, 30})
	}
}

func containsFrom(s []string, from int, v string) bool {
	for _, x := range s[from:] {
		if x == v {
			return true
		}
	}
	return false
}

// followers returns the organisations of pl that follow a person in that
// situation: youth by a mission locale, RSA by the département (and often
// the employment service), disabled workers by Cap emploi, others by the
// employment service, sometimes with a partner.
func (g *generator) followers(pl *place, situation socle.Situation) []*org {
	r := g.r
	var first, second *org
	switch situation {
	case socle.SituationYouth:
		first = pick(r, pl.youth)
		if r.permille(100) {
			second = pick(r, pl.partners)
		}
	case socle.SituationRSA:
		first = pl.departement
		if r.permille(600) {
			second = pick(r, pl.agencies)
		}
	case socle.SituationDisabled:
		first = pl.disability
		if r.permille(300) {
			second = pick(r, pl.agencies)
		}
	default:
		first = pick(r, pl.agencies)
		if r.permille(100) {
			second = pick(r, pl.partners)
		}
	}
	if second == nil {
		return []*org{first}
	}
	return []*org{first, second}
}

// followup returns a follow-up of p by o, from shortly after registration;
// about one in ten has ended.
func (g *generator) followup(p *socle.Person, o *org, regDays int) socle.Followup {
	r := g.r
	startDays := regDays - r.intn(min(60, regDays)+1)
	f := socle.Followup{
		ID:             socle.NewIDFrom(r, socle.PrefixFollowup),
		PersonID:       p.ID,
		OrganisationID: o.o.ID,
		Start:          socle.DateOf(g.daysAgo(startDays)),
	}
	if len(o.advisers) > 0 {
		f.AgentID = pick(r, o.advisers).ID
	}
	ended := 100
	if p.Parcours.Situation == socle.SituationEmployed {
		ended = 500
	}
	if startDays > 30 && r.permille(ended) {
		f.End = socle.DateOf(g.daysAgo(startDays - 30 - r.intn(startDays-30)))
	}
	return f
}

// appendNIR appends a NIR consistent with sex, birth date and place of
// birth: mostly the département of residence, sometimes another, sometimes
// abroad. NIRs are unique: each (sex, year, month, place) hands out its
// commune and order numbers from a counter, scrambled by a bijection.
func (g *generator) appendNIR(buf []byte, female bool, birth time.Time, residence string) []byte {
	r := g.r
	var placeIdx int
	switch x := r.intn(100); {
	case x < 75:
		placeIdx = g.birthIndex[residence]
	case x < 92:
		placeIdx = g.birthIndex[pick(r, g.birthPlaces[:len(g.birthPlaces)-len(countries)])]
	default:
		placeIdx = g.birthIndex["99"+g.countryTable.draw(r)]
	}
	sexDigit := byte('1')
	if female {
		sexDigit = '2'
	}
	yy, mm := birth.Year()%100, int(birth.Month())
	for {
		place := g.birthPlaces[placeIdx]
		key := ((uint32(sexDigit-'1')*100+uint32(yy))*13+uint32(mm))*1024 + uint32(placeIdx)
		var slots uint32
		switch {
		case len(place) == 5: // 99 and a country: only the order number varies
			slots = 999
		case len(place) == 3: // overseas: 97x and a two-digit commune
			slots = 99 * 999
		default:
			slots = 999 * 999
		}
		c := g.nirSlots[key]
		if c >= slots {
			placeIdx = (placeIdx + 1) % len(g.birthPlaces)
			continue
		}
		g.nirSlots[key] = c + 1
		slot := (uint64(c)*104729 + uint64(key)*7919) % uint64(slots) // 104729 is prime to 999²

		start := len(buf)
		buf = append(buf, sexDigit)
		buf = appendTwo(buf, yy)
		buf = appendTwo(buf, mm)
		switch {
		case len(place) == 5:
			buf = append(buf, place...)
			buf = appendThree(buf, int(slot)+1)
		case len(place) == 3:
			buf = append(buf, place...)
			buf = appendTwo(buf, int(slot/999)+1)
			buf = appendThree(buf, int(slot%999)+1)
		default:
			if (place == "2A" || place == "2B") && birth.Year() < 1976 {
				place = "20" // Corsica was one département
			}
			buf = append(buf, place...)
			buf = appendThree(buf, int(slot/999)+1)
			buf = appendThree(buf, int(slot%999)+1)
		}
		return appendTwo(buf, nirKey(buf[start:]))
	}
}

// nirKey is 97 minus the 13 digits modulo 97, Corsica's 2A and 2B counting
// as 19 and 18.
func nirKey(body []byte) int {
	var n uint64
	for i, c := range body {
		switch {
		case i == 5 && c == '2' && body[6] == 'A':
			n = n*100 + 19
		case i == 5 && c == '2' && body[6] == 'B':
			n = n*100 + 18
		case i == 6 && (c == 'A' || c == 'B'):
		default:
			n = n*10 + uint64(c-'0')
		}
	}
	return int(97 - n%97)
}

// bank fills a French IBAN whose RIB key and check digits verify.
func (g *generator) bank(b *socle.Bank) {
	r := g.r
	bk := pick(r, banks)
	bankCode, _ := strconv.Atoi(bk.code)
	branch := r.intn(100000)
	account := r.intn(100_000_000_000)
	ribKey := 97 - (89*bankCode+15*branch+3*(account%97))%97

	var bban [23]byte
	copy(bban[:5], bk.code)
	putDigits(bban[5:10], branch)
	putDigits(bban[10:21], account)
	putDigits(bban[21:23], ribKey)
	// ISO 13616: the BBAN then "FR00" as digits (F=15, R=27), modulo 97.
	m := 0
	for _, c := range bban {
		m = (m*10 + int(c-'0')) % 97
	}
	for _, d := range []int{1, 5, 2, 7, 0, 0} {
		m = (m*10 + d) % 97
	}
	buf := append(g.buf[:0], 'F', 'R')
	buf = appendTwo(buf, 98-m)
	buf = append(buf, bban[:]...)
	g.buf = buf
	b.IBAN = string(buf)
	b.BIC = bk.bic
}

func putDigits(dst []byte, v int) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
}

func appendTwo(buf []byte, v int) []byte { return append(buf, byte('0'+v/10%10), byte('0'+v%10)) }

func appendThree(buf []byte, v int) []byte {
	return append(buf, byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

// appendProvenance records that the organisation of f, the person's first
// follow-up, supplied each section of her file when she registered.
func appendProvenance(ps []socle.Provenance, p *socle.Person, f *socle.Followup) []socle.Provenance {
	at, cats := p.Parcours.RegisteredOn.Time(), p.Categories()
	for _, c := range socle.Categories {
		if cats.Has(c) {
			ps = append(ps, socle.Provenance{PersonID: p.ID, Category: c, OrganisationID: f.OrganisationID, AgentID: f.AgentID, At: at})
		}
	}
	return ps
}
