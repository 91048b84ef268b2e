package appointment

import (
	"fmt"
	"strings"
	"time"

	"socle"
	"socle/gate"
	"socle/identity"
)

// paris is the time zone of every date and time the person reads.
var paris = func() *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic("appointment: Europe/Paris: " + err.Error()) // embedded by time/tzdata
	}
	return l
}()

// SpacePath is the page of the person's space where she books, cancels
// and sees her appointments.
const SpacePath = "/usager/rendez-vous"

// Message is a notice as the person reads it: a mail (with its .ics) and
// an SMS.
type Message struct {
	Subject, Body string
	Attachments   []identity.Attachment
	SMS           string
}

var (
	frenchWeekdays = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	frenchMonths   = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
)

// FrenchDay writes the day of t in Paris: "mardi 10 mars 2026".
func FrenchDay(t time.Time) string {
	t = t.In(paris)
	return fmt.Sprintf("%s %d %s %d", frenchWeekdays[t.Weekday()], t.Day(), frenchMonths[t.Month()-1], t.Year())
}

// ModaliteLabels are the French words of the modalités.
var ModaliteLabels = map[string]string{
	socle.ModaliteOnSite: "sur place",
	socle.ModalitePhone:  "par téléphone",
	socle.ModaliteVideo:  "en visioconférence",
}

// Compose writes a notice in French; baseURL is the platform's public URL.
func Compose(n gate.Notice, baseURL string) Message {
	a := n.Appointment
	when := FrenchDay(a.Start) + " à " + a.Start.In(paris).Format("15:04")
	with := n.OrganisationName
	if n.AdviserName != "" {
		with = n.AdviserName + ", " + n.OrganisationName
	}
	space := strings.TrimRight(baseURL, "/") + SpacePath
	var b strings.Builder
	hello := "Bonjour,"
	if n.GivenName != "" {
		hello = "Bonjour " + n.GivenName + ","
	}
	b.WriteString(hello + "\n\n")
	var m Message
	switch n.Kind {
	case socle.NoticeCancellation:
		m.Subject = "Rendez-vous annulé : " + when
		by := "par votre conseiller"
		if a.CancelledBy == socle.CancelledByPerson {
			by = "à votre demande"
		}
		fmt.Fprintf(&b, "Votre rendez-vous du %s avec %s est annulé %s.\n", when, with, by)
		if a.CancelReason != "" {
			fmt.Fprintf(&b, "Motif : %s\n", a.CancelReason)
		}
		fmt.Fprintf(&b, "\nVous pouvez choisir un autre créneau dans votre espace, rubrique « Mes rendez-vous » :\n%s\n", space)
		m.SMS = fmt.Sprintf("Votre rendez-vous du %s avec %s est annulé. Autre créneau : %s", when, n.OrganisationName, space)
	default:
		switch n.Kind {
		case socle.NoticeReminder48h, socle.NoticeReminder24h:
			m.Subject = "Rappel : votre rendez-vous du " + when
			fmt.Fprintf(&b, "Nous vous rappelons votre rendez-vous avec %s.\n\n", with)
		default:
			m.Subject = "Votre rendez-vous du " + when
			fmt.Fprintf(&b, "Vous avez rendez-vous avec %s.\n\n", with)
		}
		fmt.Fprintf(&b, "Date : %s, de %s à %s (heure de Paris)\n", FrenchDay(a.Start), a.Start.In(paris).Format("15:04"), a.End.In(paris).Format("15:04"))
		fmt.Fprintf(&b, "Modalité : %s\n", ModaliteLabels[a.Modalite])
		if a.Location != "" {
			fmt.Fprintf(&b, "Lieu : %s\n", a.Location)
		}
		fmt.Fprintf(&b, "\nPour annuler ce rendez-vous, ouvrez votre espace, rubrique « Mes rendez-vous » :\n%s\n", space)
		b.WriteString("Si vous ne pouvez pas venir, prévenez-nous avant le rendez-vous : votre absence sera alors notée comme excusée.\n")
		m.SMS = fmt.Sprintf("Rendez-vous %s avec %s, %s", when, n.OrganisationName, ModaliteLabels[a.Modalite])
		if a.Location != "" {
			m.SMS += ", " + a.Location
		}
		m.SMS += ". Pour annuler : " + space
		m.Attachments = []identity.Attachment{{Name: "rendez-vous.ics", ContentType: "text/calendar; charset=utf-8",
			Data: []byte(ICalendar([]*socle.Event{&a.Event}, hostOf(baseURL), a.CreatedAt))}}
	}
	b.WriteString("\nCe message est envoyé à l'adresse que vous avez donnée à la structure qui vous accompagne.\n")
	m.Body = b.String()
	return m
}

// hostOf is the host of a URL, for the calendar's identifiers.
func hostOf(baseURL string) string {
	h := strings.TrimPrefix(strings.TrimPrefix(baseURL, "https://"), "http://")
	h, _, _ = strings.Cut(h, "/")
	if h == "" {
		return "socle"
	}
	return h
}
