package web

import (
	"errors"
	"fmt"
	"net/http"
	"socle/cases"
	"socle/gate"
	"strings"

	"socle"
)

// This file holds every French sentence a page shows for an error: the
// pages never show a domain message raw (the gate and the services write
// theirs in English for the API). A page turns an error into a sentence
// with message; a page's own error, made with userErrorf, is French
// already.

// msgVerificationFailed ends the verification lines of a contract whose
// hash or signatures do not match.
const msgVerificationFailed = "Échec de la vérification : l'empreinte ou une signature ne correspond pas au document."

// Sentences of the pages: form errors and notices.
const (
	msgUnknownFilter               = "Le filtre demandé n'existe pas."
	msgUnknownDepartement          = "Le département demandé n'existe pas."
	msgNoPage                      = "Cette page n'existe pas."
	msgHomeAgenda                  = "Vos rendez-vous n'ont pas pu être lus."
	msgHomeRectifications          = "Les demandes de rectification n'ont pas pu être lues."
	msgHomeCompanies               = "Les entreprises suivies n'ont pas pu être lues."
	msgHomeBreakGlass              = "Les accès exceptionnels à examiner n'ont pas pu être lus."
	msgHomeCases                   = "Les alertes n'ont pas pu être lues."
	msgHomeChanges                 = "Les demandes à valider n'ont pas pu être lues."
	msgNoEntry                     = "Cette entrée n'existe pas."
	msgEntryOutOfScope             = "Cette entrée n'existe pas ou n'est pas dans votre périmètre."
	msgBirthDateFormat             = "La date de naissance doit être au format AAAA-MM-JJ."
	msgSearchPurposeRequired       = "Choisissez la finalité de votre recherche : elle est obligatoire."
	msgBreakGlassPurposeRequired   = "Choisissez la finalité de cet accès : elle est obligatoire."
	msgJustificationTooShort       = "La justification doit compter au moins 20 caractères : expliquez précisément pourquoi vous devez consulter ce dossier."
	msgBreakGlassRefused           = "L'accès exceptionnel n'est pas possible pour ce dossier avec cette finalité."
	msgNoRegister                  = "Le registre n'est pas disponible."
	msgRegisterSaved               = "Nouvelle version du registre enregistrée et appliquée."
	msgRegisterChangePending       = "Cette modification élargit l'accès aux données sensibles : elle est enregistrée et ne s'appliquera qu'après l'approbation d'un second administrateur de la plateforme (page Demandes à approuver). Les délégués à la protection des données en sont avertis."
	msgNoCompanyWithSIRET          = "Aucune entreprise du réseau n'a ce SIRET."
	msgCompanyActionInvalid        = "Choisissez le type d'action ; la note compte au plus 2 000 caractères."
	msgAlreadyProposed             = "Cette personne est déjà proposée sur cette offre."
	msgNoConsentToPropose          = "Cette personne n'a pas donné son accord pour être proposée et vous n'êtes pas son référent : recueillez son accord et cochez la case."
	msgAnswerRequired              = "Répondez à cette question : elle est obligatoire."
	msgAnswersMissing              = "Le questionnaire est incomplet : %d question(s) obligatoire(s) sans réponse, signalée(s) ci-dessous. Vos autres réponses sont conservées."
	msgProposalFailedPrefix        = "La proposition n'a pas pu être établie : "
	msgNoOrientation               = "Cette orientation n'existe pas."
	msgOverrideReasonRequired      = "Vous vous écartez de la proposition : indiquez-en le motif (au moins 10 caractères). Il est conservé avec la décision."
	msgOrganisationRequired        = "Choisissez la structure qui accompagnera la personne."
	msgWrongOperatorPrefix         = "La structure choisie n'est pas un opérateur du type retenu ("
	msgConfirmationFailedPrefix    = "L'orientation n'a pas pu être confirmée : "
	msgActionsRequired             = "Indiquez au moins une action convenue avec la personne (une par ligne)."
	msgOrientationFirst            = "Confirmez d'abord l'orientation de la personne : le contrat en découle."
	msgAlreadySignedByAdviser      = "Ce contrat porte déjà votre signature."
	msgPersonCannotSign            = "La personne ne peut plus signer ce contrat."
	msgAppointmentFailedPrefix     = "Le rendez-vous n'a pas pu être enregistré : "
	msgRectificationAnswerRequired = "Choisissez d'accepter ou de refuser la demande."
	msgDateFormat                  = "La date doit être au format AAAA-MM-JJ."
	msgUnknownGrouping             = "Regroupement inconnu : departement, mois ou departement_mois."
	msgIndicatorsForbidden         = "Les indicateurs sont réservés aux statisticiens et aux administrateurs."
	msgRectificationSent           = "Votre demande de rectification a été transmise aux structures qui vous accompagnent."
	msgReauthLinkSent              = "Un lien de confirmation vient de vous être envoyé par courriel. Ouvrez-le, puis signez dans les 5 minutes."
	msgConsentRequired             = "Cochez la case indiquant que vous avez lu le contrat et l'acceptez."
	msgReauthRequired              = "Votre connexion date de plus de 5 minutes : confirmez votre identité avec un nouveau lien, puis signez."
	msgAlreadySigned               = "Vous avez déjà signé ce contrat."
	msgContractSigned              = "Vous avez signé votre contrat d'engagement."
	msgPasswordChanged             = "Votre mot de passe a été modifié. Connectez-vous avec le nouveau."
	msgRecoveryRequested           = "Si ce compte existe, deux administrateurs de sa structure doivent maintenant approuver la demande. L'agent en est averti par courriel."
	msgAgentCreated                = "Agent créé. Son lien d'activation lui a été envoyé par courriel ; il ne s'affiche pas ici : seul l'agent doit l'ouvrir, depuis son propre poste."
	msgPurposeClosed               = "La finalité « %s » n'est pas ouverte à votre rôle dans votre structure : aucune convention ne vous la permet, quel que soit le dossier. Finalités que vous pouvez déclarer : %s."
	msgPurposeClosedNoneOpen       = "La finalité « %s » n'est pas ouverte à votre rôle dans votre structure, et aucune convention ne vous ouvre l'accès aux dossiers des usagers."
	msgJobUnknown                  = "Choisissez le métier dans la liste proposée, ou saisissez son code ROME (une lettre et quatre chiffres, par exemple M1607)."
	msgCommuneUnknown              = "Choisissez la commune dans la liste proposée, par exemple « Lyon (69) », ou saisissez son code INSEE."
	msgBeforeNotANumber            = "Le paramètre « avant » doit être un nombre."
)

// Messages of the appointments' pages (appointment_pages.go).
const (
	msgSlotFailedPrefix        = "Les créneaux n'ont pas pu être publiés : "
	msgSlotPublished           = "Les créneaux sont publiés : les personnes que vous accompagnez peuvent les réserver depuis leur espace."
	msgAttendanceFailedPrefix  = "La présence n'a pas pu être enregistrée : "
	msgAttendanceChoice        = "Choisissez la présence à ce rendez-vous : honoré, excusé ou absent non excusé."
	msgCancelFailedPrefix      = "Le rendez-vous n'a pas pu être annulé : "
	msgSlotRequired            = "Choisissez un créneau."
	msgBookingFailedPrefix     = "Le créneau n'a pas pu être réservé : "
	msgExplanationFailedPrefix = "Votre explication n'a pas pu être enregistrée : "
	msgBooked                  = "Votre rendez-vous est réservé. Une confirmation vous est envoyée par courriel."
	msgCancelledByPerson       = "Votre rendez-vous est annulé. Vous pouvez choisir un autre créneau."
	msgExplanationSaved        = "Votre explication est enregistrée : votre conseiller la lira."
)

// Messages of the blocks page.
var (
	msgLiftReason = fmt.Sprintf("Indiquez le motif de la levée du blocage, en au moins %d caractères : il est consigné au journal des accès.", gate.MinLiftReason)
	msgNoBlock    = "Ce compte n'est plus bloqué."
)

// Sentences of the identity checks page (identity_checks.go): the human
// check of the FranceConnect logins that matched no single record.
const (
	msgNoRecordForNIR        = "Aucun dossier unique ne porte ce NIR avec la date de naissance certifiée par FranceConnect. Vérifiez le numéro sur un document de la personne."
	msgCheckAlreadyResolved  = "Cette vérification a déjà été traitée."
	msgCheckClosed           = "La vérification est close : aucun dossier n'a été rattaché."
	msgCheckLinked           = "Le compte FranceConnect est rattaché au dossier : la personne peut désormais se connecter avec FranceConnect."
	msgCheckNoRecord         = "aucun dossier ne correspond"
	msgCheckSeveralRecords   = " dossiers correspondent" // after their number
	msgCheckUsedNamePrefix   = " (nom d'usage : "
	msgCheckBirthPlacePrefix = ", commune de naissance "
	msgCheckBornAbroad       = ", à l'étranger"
)

// sexWords name the sex of an identity within a sentence.
var sexWords = map[string]string{"F": "femme", "M": "homme"}

// statusTitles are the titles of the error page by status; 0 for any other.
var statusTitles = map[int]string{
	http.StatusBadRequest: "Requête invalide", http.StatusNotFound: "Page introuvable",
	http.StatusForbidden: "Accès refusé", http.StatusUnauthorized: "Connexion requise",
	http.StatusServiceUnavailable: "Service indisponible", 0: "Erreur",
}

// codeMessages are the sentences shown for an error code when the domain
// message has no translation below.
var codeMessages = map[string]string{
	socle.EINVALID:         "La demande n'est pas valide : vérifiez les champs saisis.",
	socle.ENOTFOUND:        "L'élément demandé est introuvable.",
	socle.EFORBIDDEN:       "Vous n'avez pas accès à cet élément.",
	socle.EUNAUTHENTICATED: "Connectez-vous pour accéder à cette page.",
	socle.ECONFLICT:        "L'élément a changé entre-temps ou existe déjà : rechargez la page.",
	socle.ETOOLARGE:        "La demande est trop volumineuse.",
	socle.ETOOMANY:         "Trop de demandes : réessayez dans quelques minutes.",
	socle.EUNAVAILABLE:     "Le service est momentanément indisponible. Réessayez dans un instant.",
	socle.EINTERNAL:        "Une erreur est survenue. Réessayez dans un instant.",
	socle.ESTEPUP:          "Une vérification renforcée est nécessaire pour continuer.",
	socle.EUNSUPPORTED:     "Ce format de demande n'est pas pris en charge.",
	socle.ESTALE:           msgFileChanged,
	socle.EPRECONDITION:    "La demande ne dit pas quelle version du dossier elle modifie : rechargez la page.",
}

// domainMessages translate the domain messages a person can act upon; the
// others fall back to the sentence of their code.
var domainMessages = map[string]string{
	"authentication required":                             "Connectez-vous pour accéder à cette page.",
	"employer authentication required":                    "Connectez-vous à l'espace employeur pour accéder à cette page.",
	"offer not found":                                     "Cette offre est introuvable.",
	"an agent signed in with a second factor is required": "Cette page demande une connexion avec un second facteur.",
	// Appointments.
	"this slot is no longer available":                          "Ce créneau vient d'être réservé ou n'est plus disponible : choisissez-en un autre.",
	"slot not found":                                            "Ce créneau est introuvable.",
	"appointment not found":                                     "Ce rendez-vous est introuvable.",
	"this appointment is no longer planned":                     "Ce rendez-vous n'est plus prévu.",
	"a cancelled appointment has no attendance":                 "Un rendez-vous annulé n'a pas de présence à renseigner.",
	"attendance is recorded once the appointment has begun":     "La présence se renseigne une fois le rendez-vous commencé.",
	"only the organisation that set the appointment changes it": "Seule la structure qui a fixé le rendez-vous peut le modifier.",
	"explanation: from 5 to 2000 characters":                    "Votre explication doit compter de 5 à 2000 caractères.",
	"cancellation reason: at most 500 characters":               "Le motif d'annulation compte au plus 500 caractères.",
	"invalid slot: start: in the future":                        "Un créneau se publie pour une date à venir.",
}

// frenchDomainMessages are the beginnings of the domain messages written in
// French for people (identity, space, cases, the gate's few); a page shows
// them as they are. Any other domain message is shown as its code's
// sentence, so that a new English message can never reach a page.
var frenchDomainMessages = []string{
	"Adresse ou code incorrect.",
	"Adresse ou mot de passe incorrect.",
	"Aucun point de contrôle cosigné par un témoin.",
	"Aucun point de contrôle.",
	"Aucune clé de sécurité n'est enregistrée sur ce compte.",
	"Aucune opération de clé de sécurité en cours : recommencez.",
	"Ce lien d'activation s'ouvre sur votre propre poste : un autre agent est connecté dans ce navigateur. Déconnectez-le, ou ouvrez le lien depuis votre poste.",
	"Ce lien n'est pas valide ou a expiré. Demandez-en un nouveau à l'administrateur de votre structure.",
	"Ce lien n'est pas valide, a déjà servi ou a expiré. Demandez-en un nouveau.",
	"Ce mot de passe est trop courant : choisissez-en un autre, par exemple une phrase de plusieurs mots.",
	"Cette demande a déjà été traitée.",
	"Cette demande ne concerne pas votre structure.",
	"Cette entrée n'existe pas ou n'est pas dans votre périmètre.",
	"Cette entrée n'existe pas.",
	"Cette orientation n'existe pas.",
	"Cette page n'existe pas.",
	"Choisissez la finalité de votre recherche : elle est obligatoire.",
	"Choisissez la rubrique à corriger.",
	"Choisissez le type d'action ; la note compte au plus 2 000 caractères.",
	"Code incorrect ou déjà utilisé.",
	"Compte désactivé.",
	"Connectez-vous à votre espace.",
	"Connexion requise.",
	"Décrivez la correction demandée (de 5 à 2000 caractères).",
	"Entrée ",
	"Journal des accès fermé.",
	"La clé de sécurité n'a pas pu être enregistrée.",
	"La clé de sécurité n'a pas été reconnue.",
	"La connexion n'a pas pu être inscrite au journal des accès ; réessayez dans un instant.",
	"La date de naissance doit être au format AAAA-MM-JJ.",
	"La date doit être au format AAAA-MM-JJ.",
	"La réponse doit être motivée (de 5 à 2000 caractères).",
	"Le SIRET compte 14 chiffres et sa clé doit être valide.",
	"Le code ne correspond pas : vérifiez l'heure de votre téléphone et saisissez le code affiché.",
	"Le département demandé n'existe pas.",
	"Le filtre demandé n'existe pas.",
	"Le formulaire a expiré ou ne vient pas de Socle : rechargez la page et recommencez.",
	"Le journal des accès est momentanément indisponible : l'opération n'a pas pu être enregistrée. Réessayez dans quelques instants.",
	"Le journal des accès n'est pas consultable pour le moment.",
	"Le mot de passe doit compter au moins ",
	"Le mot de passe doit compter au plus ",
	"Le mot de passe ne doit pas reposer sur le nom du service, de votre structure ou de sa ville, votre nom, votre adresse ou l'année : choisissez plutôt une phrase de plusieurs mots à vous.",
	"Le paramètre « avant » doit être un nombre.",
	"Le registre n'est pas disponible.",
	"Le rôle ",
	"Le rôle d'administrateur de la plateforme ne se retire pas ici.",
	"Le rôle « ",
	"Les indicateurs sont réservés aux statisticiens et aux administrateurs.",
	"Les rôles de l'agent ont changé depuis la demande : refusez-la et refaites-la.",
	"On ne peut pas approuver sa propre récupération.",
	"Ouvrez à nouveau le lien d'activation et scannez le code qu'il affiche.",
	"Preuve d'inclusion impossible : entrée ",
	"Preuve de cohérence impossible : de ",
	"Regroupement inconnu : departement, mois ou departement_mois.",
	"Saisissez une adresse électronique valide.",
	"Seul un administrateur qui s'était déjà connecté avec son second facteur avant la demande peut l'approuver.",
	"Trop de demandes depuis votre adresse. Réessayez dans un quart d'heure.",
	"Trop de tentatives depuis votre adresse. Réessayez plus tard.",
	"Une demande est approuvée par une autre personne que son auteur et que l'agent concerné.",
	"Validez d'abord votre second facteur.",
	"Votre compte a moins de ",
	"Votre compte a été activé depuis le poste, la session ou l'adresse de l'auteur de la demande : il ne peut pas l'approuver.",
	"Votre connexion a expiré : saisissez à nouveau votre mot de passe.",
	"Votre dossier ne comporte pas d'adresse électronique : demandez à votre conseiller de vous faire signer le contrat.",
	"Votre structure suit déjà cette entreprise.",
	"Vous ne pouvez pas désactiver votre propre compte.",
	"Vous ne pouvez pas retirer votre propre rôle d'administrateur.",
	"Vous ne pouvez pas vous attribuer un rôle : un autre administrateur de votre structure doit le faire.",
}

// userError is an error a page makes for the person in front of it: its
// message is French and shown as is.
type userError struct{ err *socle.Error }

func (e *userError) Error() string { return e.err.Error() }
func (e *userError) Unwrap() error { return e.err }

// userErrorf returns an error with code whose French message a page shows
// as is.
func userErrorf(code, format string, args ...any) error {
	return &userError{err: socle.Errorf(code, format, args...)}
}

// message returns the French sentence a page shows for err: a page's own
// message, the translation of the domain message, or the sentence of its
// code; "" for nil.
func message(err error) string {
	if err == nil {
		return ""
	}
	var own *userError
	if errors.As(err, &own) {
		return own.err.Message
	}
	code := socle.ErrorCode(err)
	if code != socle.EINTERNAL {
		msg := socle.ErrorMessage(err)
		if fr, ok := domainMessages[msg]; ok {
			return fr
		}
		for _, prefix := range frenchDomainMessages {
			if strings.HasPrefix(msg, prefix) {
				return msg
			}
		}
	}
	if fr, ok := codeMessages[code]; ok {
		return fr
	}
	return codeMessages[socle.EINTERNAL]
}

// directoryMessage turns a domain error of the directory into French.
func directoryMessage(err error) string {
	return directorySentence(socle.ErrorMessage(err))
}

// directorySentence is directoryMessage for one domain message (or one of
// its problems).
func directorySentence(msg string) string {
	for _, m := range []struct{ key, fr string }{
		{"already in the register", "Cette personne est déjà inscrite au registre."},
		{"person_id", "Indiquez l'identifiant du dossier de la personne (il commence par « per_ »)."},
		{"reason", "Indiquez le motif de l'inscription (500 caractères au plus)."},
		{"kind", "Choisissez une catégorie."},
		{"of_agent_id", "Choisissez le collègue que vous remplacez, un agent de votre structure."},
		{"reference", "Indiquez la référence de l'appel ou le nom de l'événement."},
		{"persons", "Indiquez le ou les identifiants de dossier concernés (ils commencent par « per_ »)."},
		{"to", "Indiquez des dates de début et de fin valides (la fin après le début ; un remplacement dure trois mois au plus, un événement une semaine)."},
		{"note", "Le commentaire est trop long (500 caractères au plus)."},
		{"text", "Écrivez votre réponse (4 000 caractères au plus)."},
		{"no explanation was asked", "Aucune explication ne vous a été demandée sur ce dossier."},
	} {
		if strings.Contains(msg, m.key) {
			return m.fr
		}
	}
	return "La demande n'a pas pu être enregistrée."
}

// taskMessage turns a domain error of a bulk task into French.
func taskMessage(err error) string {
	msg := socle.ErrorMessage(err)
	for _, m := range []struct{ key, fr string }{
		{"already approved", "Cette tâche est déjà approuvée."},
		{"approve", "Une tâche est approuvée par un administrateur de la structure, autre que l'agent qui la réalise et que celui qui l'a déclarée."},
		{"purpose", "Choisissez la finalité de la tâche."},
		{"population", "Décrivez la population concernée ou listez les dossiers."},
		{"persons", "Un identifiant de dossier est mal formé (il commence par « per_ »)."},
		{"end", "La tâche a un début, une fin après le début, et dure 31 jours au plus."},
	} {
		if strings.Contains(msg, m.key) {
			return m.fr
		}
	}
	return "La tâche n'a pas pu être enregistrée."
}

// Labels of the pages: the French names of codes.

var actionLabels = map[string]string{
	"read": "Consultation", "search": "Recherche", "create": "Création", "update": "Modification",
	"export": "Export", "audit_search": "Recherche dans le journal", "self_read": "Consultation de son dossier",
	"self_history": "Consultation de son journal",

	// The person's diagnostic and plan (gate/diagnostic.go, gate/plan.go).
	"self_diagnostic": "Ajout à son diagnostic", "self_agree": "Accord à son plan d'action",
}

// actionKindLabels are the prospection actions in French.
var actionKindLabels = map[string]string{
	"appel": "Appel", "visite": "Visite", "courriel": "Courriel", "rendez_vous": "Rendez-vous",
	"besoin_recrutement": "Besoin de recrutement", "note": "Note",
}

var ruleLabels = map[string]string{
	"colleague": "Collègues", "former_employee": "Anciens agents", "public_figure": "Personnalités publiques",
	"family": "Famille", "neighbour": "Voisins", "off_hours": "Hors horaires", "out_of_territory": "Hors territoire",
	"mass_fast": "Extraction massive", "mass_slow": "Extraction lente", cases.RuleInline: "Blocage en ligne (volume)",
}

// matchStatusLabels are the statuses of a match in French.
var matchStatusLabels = map[string]string{
	socle.MatchProposed: "Proposée", socle.MatchInterview: "Entretien prévu",
	socle.MatchHired: "Embauchée", socle.MatchDeclined: "Candidature déclinée",
}

var parcoursLabels = map[string]string{
	socle.ParcoursProfessional: "Professionnel", socle.ParcoursSocioProfessional: "Socio-professionnel", socle.ParcoursSocial: "Social",
	socle.ModaliteSuivi: "Suivi", socle.ModaliteGuide: "Guidé", socle.ModaliteRenforce: "Renforcé", socle.ModaliteGlobal: "Global",
}

// orientationStatusLabels are the statuses of an orientation.
var orientationStatusLabels = map[string]string{socle.OrientationStatusProposed: "Proposée", socle.OrientationStatusConfirmed: "Confirmée"}

var eventKindLabels = map[string]string{socle.EventAppointment: "Rendez-vous", socle.EventTraining: "Formation", socle.EventImmersion: "Immersion", socle.EventNote: "Note"}

var rectificationStatus = map[string]string{socle.RectificationOpen: "En attente", socle.RectificationAccepted: "Acceptée", socle.RectificationRefused: "Refusée"}

// labelSecret stands for a figure suppressed by the statistical secret.
const labelSecret = "secret"

// labelUnknownOrganisation stands for an organisation id the directory
// does not hold.
const labelUnknownOrganisation = "structure inconnue"

// labelUnknownAgent stands for an agent the directory cannot name.
const labelUnknownAgent = "agent non identifié"

// labelPartnerSystem names a principal that is a partner's system.
const labelPartnerSystem = "Système partenaire"

// labelUnknownCommune stands for a commune code the imported geography
// does not hold: the page says so rather than show the code.
const labelUnknownCommune = "commune non répertoriée"

// educationLabels are the levels of the cadre national des certifications
// professionnelles, as a person's file stores them ("4").
var educationLabels = map[string]string{
	"1": "Niveau 1 (savoirs de base)", "2": "Niveau 2 (sans diplôme)", "3": "Niveau 3 (CAP, BEP)",
	"4": "Niveau 4 (baccalauréat)", "5": "Niveau 5 (bac + 2 : BTS, DUT)", "6": "Niveau 6 (bac + 3 ou 4 : licence, BUT)",
	"7": "Niveau 7 (bac + 5 : master)", "8": "Niveau 8 (doctorat)",
}

// constraintLabels are the freins périphériques (socle.Constraints).
var constraintLabels = map[string]string{
	"mobilite": "Mobilité", "garde_enfants": "Garde d'enfants", "logement": "Logement", "numerique": "Accès au numérique",
	"langue": "Maîtrise du français", "sante": "Santé", "finances": "Difficultés financières",
}

// contractLabels are the kinds of contract of an offer (socle.Contracts)
// and of what a person looks for.
// languageLabels names the languages a person speaks (ISO 639-1 codes, as
// the file stores them); a code not listed is shown as given.
var languageLabels = map[string]string{
	"fr": "français", "en": "anglais", "es": "espagnol", "de": "allemand", "it": "italien",
	"pt": "portugais", "ar": "arabe", "tr": "turc", "ru": "russe", "uk": "ukrainien",
	"ro": "roumain", "pl": "polonais", "zh": "chinois", "vi": "vietnamien", "nl": "néerlandais",
	"fa": "persan", "ps": "pachto", "ta": "tamoul", "wo": "wolof", "bm": "bambara",
	"ln": "lingala", "sw": "swahili", "am": "amharique", "ti": "tigrigna", "so": "somali",
	"ber": "berbère", "kab": "kabyle", "hy": "arménien", "ka": "géorgien", "sq": "albanais",
	"sr": "serbe", "bg": "bulgare", "el": "grec", "hi": "hindi", "bn": "bengali", "ur": "ourdou",
	"ht": "créole haïtien", "lsf": "langue des signes française",
}

var contractLabels = map[string]string{
	"CDI": "CDI", "CDD": "CDD", "interim": "Intérim", "alternance": "Alternance", "saisonnier": "Saisonnier",
}

// frenchMonths name the months in dates written out.
var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// sexLabels are the sexes of the civil record.
var sexLabels = map[string]string{"F": "Femme", "M": "Homme"}

// labelOf returns the label of code in labels, the code itself when the
// map has none (a value typed by a person, or a code added since).
func labelOf(labels map[string]string, code string) string {
	if l, ok := labels[code]; ok {
		return l
	}
	return code
}

// labelsOf returns the labels of codes, joined by commas.
func labelsOf(labels map[string]string, codes []string) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = labelOf(labels, c)
	}
	return strings.Join(out, ", ")
}

// Sentences of the file worked on through the gate (file_edit.go,
// file_notes.go): the section forms, the conflict of two saves, notes.
const (
	msgFileChanged           = "Quelqu'un d'autre a modifié ce dossier depuis que vous l'avez ouvert : rien n'a été enregistré, pour ne pas effacer ses modifications. Les valeurs enregistrées sont affichées ci-dessous. Dans le formulaire, vos modifications sont conservées et les champs que vous n'aviez pas changés reprennent les valeurs enregistrées. Vérifiez, puis enregistrez à nouveau si vos modifications restent nécessaires."
	msgSectionSaved          = "La rubrique « %s » a été enregistrée."
	msgSectionNotWritable    = "Votre convention ne permet pas de modifier cette rubrique pour la finalité « %s »."
	msgSectionUnknown        = "Cette rubrique du dossier n'existe pas."
	msgFormErrors            = "Le formulaire contient des erreurs : corrigez les champs signalés."
	msgRequired              = "Ce champ est obligatoire."
	msgTooLong               = "Ce champ compte au plus %d caractères."
	msgFieldDateFormat       = "Saisissez une date au format JJ/MM/AAAA ou AAAA-MM-JJ."
	msgBirthDatePlausible    = "Saisissez une date de naissance passée, de moins de 120 ans."
	msgSexChoice             = "Choisissez « Femme » ou « Homme »."
	msgNIRInvalid            = "Le NIR compte 15 caractères et sa clé (les deux derniers chiffres) doit correspondre : vérifiez-le sur la carte Vitale."
	msgEmailInvalid          = "Saisissez une adresse électronique valide, par exemple nom@exemple.fr."
	msgPhoneInvalid          = "Saisissez un numéro de téléphone français à 10 chiffres, par exemple 06 12 34 56 78."
	msgPostalCodeInvalid     = "Saisissez un code postal français à 5 chiffres."
	msgCommuneInvalid        = "Choisissez une commune de la liste (nom ou code postal)."
	msgSituationChoice       = "Choisissez une situation de la liste."
	msgEducationChoice       = "Choisissez un niveau de formation de la liste."
	msgConstraintChoice      = "Choisissez des freins de la liste."
	msgJobInvalid            = "Choisissez un métier de la liste (ou saisissez son code ROME)."
	msgLanguageUnknown       = "Langue inconnue : %s. Séparez les langues par des virgules (par exemple : français, anglais)."
	msgContractChoice        = "Choisissez un type de contrat de la liste."
	msgHoursInvalid          = "Saisissez un nombre d'heures entre 0 et 48."
	msgIBANInvalid           = "L'IBAN n'est pas valide : vérifiez ses caractères et sa clé."
	labelSourceAgent         = "Modifié par %s (%s) le %s"
	labelSourceClient        = "Transmis par un logiciel partenaire de %s le %s"
	labelSourceOrganisation  = "Modifié par %s le %s"
	msgFieldChangedMeanwhile = "Ce champ a aussi été modifié entre-temps : votre saisie est conservée ; comparez-la à la valeur enregistrée affichée plus haut avant d'enregistrer."

	msgRectificationGone         = "Cette demande de rectification n'est plus en attente : elle a peut-être déjà reçu une réponse."
	msgRectificationAnswerLength = "Motivez votre réponse à la personne (de 5 à 2000 caractères)."

	msgNoteAdded             = "La note a été enregistrée."
	msgNoteRequired          = "Écrivez la note : ce champ est obligatoire."
	msgNoteCategory          = "Choisissez où classer la note."
	msgNoteCategoryRefused   = "Votre convention ne permet pas d'écrire dans la catégorie protégée « %s » : classez la note dans le suivi ordinaire ou adressez-vous à une structure habilitée."
	labelNoteOrdinary        = "Suivi (note ordinaire)"
	labelNoteSealed          = "%s (catégorie protégée, lisible seulement par les structures habilitées)"
	labelVisibilityStructure = "Ma structure"
	labelVisibilityNetwork   = "Le réseau"
	labelNoReferent          = "sans référent désigné"

	msgTimelineFollowupStart         = "Début du suivi par %s"
	msgTimelineFollowupEnd           = "Fin du suivi par %s"
	msgTimelineOrientationProposed   = "Orientation proposée"
	msgTimelineOrientationConfirmed  = "Orientation décidée"
	msgTimelineContract              = "Contrat d'engagement, version %d"
	msgTimelineSigned                = "Contrat d'engagement, version %d : signé par %s"
	msgTimelineRectificationAsked    = "Demande de rectification : %s"
	msgTimelineRectificationAnswered = "Demande de rectification %s"
)

// commitmentStatusLabels and signerLabels name a contract's states and
// signers in the timeline of a file.
var commitmentStatusLabels = map[string]string{socle.CommitmentToSign: "À signer", socle.CommitmentSigned: "Signé", socle.CommitmentSuperseded: "Remplacé par un avenant"}

var signerLabels = map[string]string{socle.SignerPerson: "la personne", socle.SignerAdviser: "le conseiller"}

// Sentences and labels of the homes by role and of the person's space
// (home_adviser.go, home_officer.go, clients_pages.go, space_export.go).
const (
	msgHomeCaseload = "La liste de vos usagers n'a pas pu être lue."
	msgHomeNames    = "Les noms des agents de votre file n'ont pas pu être lus."
	msgHomeOffers   = "Les offres de vos entreprises n'ont pas pu être lues."

	msgClientsForbidden       = "Les clients de l'API sont administrés par les administrateurs de la plateforme, et par ceux d'une structure pour ses propres clients."
	msgClientName             = "Indiquez le nom du logiciel partenaire, en 200 caractères au plus."
	msgClientOrganisation     = "Choisissez la structure pour laquelle ce logiciel agit."
	msgClientScopes           = "Cochez au moins une portée : une finalité et ce que le logiciel peut y faire."
	msgClientScopeNotGranted  = "Une portée cochée n'est couverte par aucune convention de cette structure accordée à ses logiciels : décochez-la, ou faites compléter la convention."
	msgClientCreated          = "Client créé. Copiez son secret maintenant : il ne sera plus jamais affiché."
	msgClientSecretRotated    = "Nouveau secret créé ; l'ancien n'est plus accepté. Copiez-le maintenant : il ne sera plus jamais affiché."
	msgClientDisabled         = "Client désactivé : il n'obtient plus de jeton, et ceux qu'il détient ne sont plus acceptés."
	msgClientDisabledNoSecret = "Ce client est désactivé : son secret ne peut plus être renouvelé."

	msgRectificationSection = "Choisissez la rubrique de votre dossier à corriger."
	msgRectificationLength  = "Décrivez la correction demandée en 5 à 2 000 caractères."

	msgPurposeNotForFollowed = "La finalité « %s » n'ouvre pas ce dossier à votre structure. Votre structure accompagne cette personne : déclarez la finalité « %s » pour l'ouvrir."
)

// populationLabels say over whom an agreement grants access.
var populationLabels = map[string]string{
	string(socle.PopulationFollowed): "sur les personnes que la structure accompagne", string(socle.PopulationTerritory): "sur les personnes de son territoire",
	string(socle.PopulationLookup): "par identifiant exact seulement",
}

// contractStatusLabels name the state of a person's current contract.
var contractStatusLabels = map[string]string{"": "Aucun contrat", socle.CommitmentToSign: "À signer", socle.CommitmentSigned: "Signé"}

// Sentences of the diagnostic global and the plan d'action
// (diagnostic_pages.go).
const (
	msgFreinMigrated         = "repris de l'ancien dossier, sans date"
	msgFreinByPerson         = "la personne elle-même"
	msgFreinByAdviser        = "un conseiller"
	msgFreinNotSet           = "Non renseigné"
	msgFreinLevelRequired    = "Choisissez le niveau de ce frein."
	msgSituationRequired     = "Choisissez une situation de la liste."
	msgAppellationUnknown    = "Choisissez un métier proposé dans la liste (appellation du ROME) ou saisissez son code."
	msgDiagnosticSaved       = "Le diagnostic est enregistré ; chaque changement est gardé dans l'historique."
	msgDiagnosticChanged     = "Le diagnostic a été modifié entre-temps : relisez-le avant d'enregistrer vos changements."
	msgPlanNoContract        = "Aucun contrat n'a encore été généré pour cette version."
	msgPlanContract          = "Contrat d'engagement version %d (%s)."
	msgPlanChooseObjective   = "Choisir l'objectif"
	msgPlanObjectiveN        = "Objectif %d"
	msgPlanSaved             = "La nouvelle version du plan est enregistrée : recueillez l'accord de la personne et générez le contrat."
	msgPlanAgreed            = "L'accord de la personne est enregistré."
	msgPlanActionMoved       = "Le statut de l'action est enregistré."
	msgPlanObjectiveTitle    = "Donnez un intitulé à cet objectif."
	msgPlanActionTitle       = "Décrivez l'action (500 caractères au plus)."
	msgPlanActionProvider    = "Indiquez la structure ou le service qui porte l'action."
	msgPlanActionObjective   = "Rattachez l'action à un objectif rempli."
	msgPlanDates             = "Les dates doivent être au format AAAA-MM-JJ, la fin après le début."
	msgPlanObjectiveRequired = "Le plan doit compter au moins un objectif."
	msgPlanReasonRequired    = "Indiquez la raison de l'abandon de l'action."
	msgPlanAgreementConflict = "L'accord ne peut pas être enregistré : il l'est déjà, ou le plan a changé de version."
	msgPlanContractConflict  = "Le contrat de cette version du plan existe déjà, ou la personne n'a pas encore d'orientation confirmée."
	msgChooseTheme           = "Choisissez un thème."
	msgSpaceFreinAdded       = "Votre ajout est enregistré ; votre conseiller le verra, marqué comme le vôtre."
	msgSpacePlanAgreed       = "Votre accord au plan d'action est enregistré."
)

// Orientation requests between structures (orientationrequest_pages.go).
const (
	msgHandoffStructureRequired = "Choisissez la structure à laquelle vous adressez la demande."
	msgHandoffMotiveRequired    = "Expliquez en quelques mots pourquoi vous orientez la personne vers cette structure (2 000 caractères au plus)."
	msgHandoffParcoursRequired  = "Choisissez le parcours proposé."
	msgHandoffReasonRequired    = "Choisissez le motif du refus dans la liste."
	msgHandoffCommentRequired   = "Le motif « Autre motif » demande une explication."
	msgHandoffExitReason        = "Choisissez le motif de la sortie du parcours."
	msgHandoffChoiceRequired    = "Choisissez d'accepter ou de refuser la demande."
	msgHandoffAlreadyOpen       = "Une demande d'orientation est déjà en cours pour cette personne : attendez la réponse de la structure destinataire."
	msgHandoffAnswered          = "Cette demande a déjà reçu une réponse."
	msgHandoffRefusedNotice     = "Refus enregistré. La structure qui a orienté la personne en est informée par le suivi de sa demande."
	msgHandoffSentNotice        = "Demande envoyée. La structure destinataire en est avertie et répond avant l'échéance indiquée."
	msgHandoffConcludedNotice   = "Décision enregistrée."
)

// handoffStatusLabels are the states of an orientation request.
var handoffStatusLabels = map[string]string{
	socle.HandoffSent: "Envoyée, en attente de réponse", socle.HandoffAccepted: "Acceptée", socle.HandoffRefused: "Refusée",
}

// handoffOutcomeLabels are what the orienting structure decides after a
// refusal.
var handoffOutcomeLabels = map[string]string{
	socle.HandoffOutcomeReoriented: "Réorientation", socle.HandoffOutcomeKept: "Maintien dans la structure", socle.HandoffOutcomeExit: "Sortie du parcours",
}

// handoffExitLabels are the reasons of a sortie du parcours.
var handoffExitLabels = map[string]string{
	"emploi": "Accès à l'emploi", "formation": "Entrée en formation", "demenagement": "Déménagement hors du territoire",
	"abandon": "Abandon du parcours", "autre": "Autre motif",
}

// Sentences of the adviser's and the privacy officer's homes added with
// the appointments and orientation requests (home_adviser_day.go,
// home_officer_queue.go).
const (
	msgHomeHandoffs  = "Les demandes d'orientation adressées à votre structure n'ont pas pu être lues."
	msgHomeQuestions = "Vos demandes d'explication n'ont pas pu être lues."
	msgHomeRights    = "Les demandes de rectification en attente n'ont pas pu être comptées."
)

// Errors of the agent creation form, beside their fields (agent_form.go).
const (
	msgAgentGivenName  = "Indiquez le prénom, en 100 caractères au plus."
	msgAgentFamilyName = "Indiquez le nom, en 100 caractères au plus."
	msgAgentEmail      = "Indiquez une adresse électronique valide, par exemple prenom.nom@structure.fr."
	msgAgentRoles      = "Choisissez au moins un rôle."
	msgAgentEmailTaken = "Un compte existe déjà avec cette adresse électronique."
)

// msgDateTime asks again for a date and time a form could not read.
const msgDateTime = "Indiquez une date et une heure valides, par exemple 03/12/2026 14:30."

// Errors of the contract page's appointment form, beside their fields
// (contract_form.go).
const (
	msgAppointmentStart    = "Indiquez la date et l'heure du rendez-vous."
	msgAppointmentDuration = "Indiquez une durée de 5 à 480 minutes."
)

// The change of référent (/usagers/{id}/suivi, file_referent.go).
const (
	msgReferentChanged   = "Le référent a été changé. La période du référent précédent est close à la date d'hier."
	msgReferentUnchanged = "Cette personne a déjà ce référent : rien n'a changé."
	msgReferentRequired  = "Choisissez le nouveau référent dans la liste des conseillers de votre structure."
	msgReferentRefused   = "Ce conseiller ne peut pas être désigné : choisissez un conseiller actif de votre structure."
	msgReferentNotFollow = "Votre structure ne suit plus cette personne : seule la structure qui la suit désigne son référent."
	msgTimelineReferent  = "Changement de référent chez %s"
)

// Errors of the slots publishing form, beside their fields (slot_form.go).
const (
	msgSlotDay      = "Indiquez le jour du premier créneau, par exemple 04/12/2026."
	msgSlotHour     = "Indiquez l'heure du premier créneau, par exemple 09:00."
	msgSlotDuration = "Indiquez une durée de 5 à 480 minutes."
	msgSlotCount    = "Indiquez un nombre de créneaux de 1 à 16."
	msgSlotLocation = "Le lieu compte au plus 300 caractères."
)

// Errors of the forms of "Mes rendez-vous", beside their fields
// (space_appointment_form.go).
const (
	msgCancelReasonTooLong = "Le motif compte au plus 500 caractères."
	msgExplanationLength   = "Votre explication compte de 5 à 2 000 caractères."
)

// Errors of the answer to an orientation request beside their fields
// (orientationrequest_pages.go).
const msgHandoffCommentTooLong = "Le commentaire compte au plus 2 000 caractères."

// Error of the answer to a rectification request beside its field
// (rectification_form.go).
const msgRectificationMotive = "Motivez votre réponse en 5 à 2 000 caractères : la personne la lira."

// Errors beside their fields on the company file's prospection form
// (company_action_form.go).
const (
	msgCompanyActionKind = "Choisissez le type d'action dans la liste."
	msgCompanyActionNote = "La note compte au plus 2 000 caractères."
)

// Errors beside their fields on the misuse case file's forms
// (case_form.go).
const (
	msgCaseState         = "Choisissez un état proposé dans la liste."
	msgCaseVerdictNeeded = "Choisissez un verdict pour clore le dossier."
	msgCaseVerdictOnly   = "Un verdict ne se donne qu'en clôturant le dossier : choisissez l'état « Clos » ou retirez le verdict."
	msgCaseAssignee      = "Choisissez un délégué à la protection des données de la structure de l'agent concerné."
	msgCaseText          = "Écrivez le texte, en 4 000 caractères au plus."
)

// A date the journal's search could not read, beside its field
// (audit_handlers.go).
const msgJournalDate = "Indiquez une date valide, par exemple 03/12/2026."
