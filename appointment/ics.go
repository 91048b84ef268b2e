package appointment

import (
	"strings"
	"time"

	"socle"
)

// ICalendar renders events as an RFC 5545 calendar: CRLF line ends, text
// escaped (backslash, semicolon, comma, newline) and lines folded at 75
// octets without splitting a UTF-8 sequence.
func ICalendar(evs []*socle.Event, host string, now time.Time) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(foldICS(s)) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Socle//Agenda//FR")
	line("CALSCALE:GREGORIAN")
	stamp := now.UTC().Format("20060102T150405Z")
	for _, e := range evs {
		line("BEGIN:VEVENT")
		line("UID:" + e.ID + "@" + escapeICS(host))
		line("DTSTAMP:" + stamp)
		line("DTSTART:" + e.Start.UTC().Format("20060102T150405Z"))
		line("DTEND:" + e.End.UTC().Format("20060102T150405Z"))
		line("SUMMARY:" + escapeICS(e.Title))
		if e.Location != "" {
			line("LOCATION:" + escapeICS(e.Location))
		}
		if e.Description != "" {
			line("DESCRIPTION:" + escapeICS(e.Description))
		}
		line("CATEGORIES:" + escapeICS(e.Kind))
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.String()
}

var icsEscaper = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)

func escapeICS(s string) string { return icsEscaper.Replace(s) }

func foldICS(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		l := len(string(r))
		if n+l > 75 {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteRune(r)
		n += l
	}
	b.WriteString("\r\n")
	return b.String()
}
