package socle

import "time"

// EasterSunday returns the day of Easter in the Gregorian calendar of year
// y (the anonymous Gregorian algorithm of Meeus, Jones and Butcher).
func EasterSunday(y int) Date {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return NewDate(y, time.Month(month), day)
}

// IsPublicHoliday reports whether d is one of the eleven public holidays
// of the Code du travail (article L3133-1) observed everywhere in France:
// the eight fixed dates and Easter Monday, Ascension and Whit Monday.
// Alsace-Moselle's Good Friday and 26 December are local and not counted,
// nor are overseas abolition days: a deadline runs the same for every
// structure of the network.
func IsPublicHoliday(d Date) bool {
	t := d.Time()
	switch m, day := t.Month(), t.Day(); {
	case m == time.January && day == 1,
		m == time.May && (day == 1 || day == 8),
		m == time.July && day == 14,
		m == time.August && day == 15,
		m == time.November && (day == 1 || day == 11),
		m == time.December && day == 25:
		return true
	}
	easter := EasterSunday(t.Year()).Time()
	for _, offset := range []int{1, 39, 50} { // Easter Monday, Ascension, Whit Monday
		if easter.AddDate(0, 0, offset).Equal(t) {
			return true
		}
	}
	return false
}

// IsWorkingDay reports whether d is a weekday that is not a public
// holiday.
func IsWorkingDay(d Date) bool {
	wd := d.Time().Weekday()
	return wd != time.Saturday && wd != time.Sunday && !IsPublicHoliday(d)
}
