package socle_test

import (
	"testing"
	"time"

	"socle"
)

func TestPublicHolidaysOf2026To2028(t *testing.T) {
	d := socle.NewDate
	holidays := map[int][]socle.Date{
		2026: {d(2026, 1, 1), d(2026, 4, 6), d(2026, 5, 1), d(2026, 5, 8), d(2026, 5, 14), d(2026, 5, 25),
			d(2026, 7, 14), d(2026, 8, 15), d(2026, 11, 1), d(2026, 11, 11), d(2026, 12, 25)},
		2027: {d(2027, 1, 1), d(2027, 3, 29), d(2027, 5, 1), d(2027, 5, 6), d(2027, 5, 8), d(2027, 5, 17),
			d(2027, 7, 14), d(2027, 8, 15), d(2027, 11, 1), d(2027, 11, 11), d(2027, 12, 25)},
		2028: {d(2028, 1, 1), d(2028, 4, 17), d(2028, 5, 1), d(2028, 5, 8), d(2028, 5, 25), d(2028, 6, 5),
			d(2028, 7, 14), d(2028, 8, 15), d(2028, 11, 1), d(2028, 11, 11), d(2028, 12, 25)},
	}
	easter := map[int]socle.Date{2026: d(2026, 4, 5), 2027: d(2027, 3, 28), 2028: d(2028, 4, 16)}
	for year, want := range holidays {
		if got := socle.EasterSunday(year); got != easter[year] {
			t.Errorf("EasterSunday(%d) = %s, want %s", year, got, easter[year])
		}
		wanted := map[socle.Date]bool{}
		for _, h := range want {
			wanted[h] = true
		}
		// Every day of the year: exactly the listed ones are holidays.
		for day := d(year, 1, 1); day.Time().Year() == year; day = socle.DateOf(day.Time().AddDate(0, 0, 1)) {
			if got := socle.IsPublicHoliday(day); got != wanted[day] {
				t.Errorf("IsPublicHoliday(%s) = %v, want %v", day, got, wanted[day])
			}
		}
	}
	for _, tt := range []struct {
		year int
		want socle.Date
	}{{1961, d(1961, 4, 2)}, {2000, d(2000, 4, 23)}, {2008, d(2008, 3, 23)}, {2038, d(2038, 4, 25)}, {2285, d(2285, 3, 22)}} {
		if got := socle.EasterSunday(tt.year); got != tt.want {
			t.Errorf("EasterSunday(%d) = %s, want %s", tt.year, got, tt.want)
		}
	}
}

func TestAddWorkingDaysSkipsPublicHolidays(t *testing.T) {
	d := socle.NewDate
	tests := []struct {
		name string
		from socle.Date
		n    int
		want socle.Date
	}{
		{"over Easter Monday 2026", d(2026, 4, 3), 1, d(2026, 4, 7)},
		{"over 1 and 8 May and Ascension 2026", d(2026, 4, 30), 10, d(2026, 5, 19)},
		{"over Whit Monday 2026", d(2026, 5, 22), 1, d(2026, 5, 26)},
		{"over Christmas and New Year 2026", d(2026, 12, 24), 5, d(2027, 1, 4)},
		{"back over Easter Monday 2027", d(2027, 3, 30), -1, d(2027, 3, 26)},
		{"over Ascension 2027 (Thursday 6 May)", d(2027, 5, 5), 1, d(2027, 5, 7)},
		{"over Whit Monday 2028", d(2028, 6, 2), 1, d(2028, 6, 6)},
		{"over 14 July 2028 (a Friday)", d(2028, 7, 13), 1, d(2028, 7, 17)},
		{"ten over 11 November 2027 (a Thursday)", d(2027, 11, 8), 10, d(2027, 11, 23)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := socle.AddWorkingDays(tt.from, tt.n)
			if got != tt.want {
				t.Fatalf("AddWorkingDays(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
			}
			if !socle.IsWorkingDay(got) && tt.n != 0 {
				t.Fatalf("%s is not a working day", got)
			}
			if wd := got.Time().Weekday(); wd == time.Saturday || wd == time.Sunday {
				t.Fatalf("%s falls on a %s", got, wd)
			}
		})
	}
}
