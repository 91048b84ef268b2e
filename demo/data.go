package demo

// ROME is a job of the ROME (Répertoire opérationnel des métiers et des
// emplois) of the public employment service: a code and its label.
type ROME struct {
	Code  string
	Label string
}

// ROMECodes are real ROME codes of frequent jobs, with their labels, used for
// the jobs persons look for and the jobs offers propose.
var ROMECodes = []ROME{
	{"A1101", "Conduite d'engins agricoles et forestiers"},
	{"A1203", "Aménagement et entretien des espaces verts"},
	{"A1401", "Aide agricole de production fruitière ou viticole"},
	{"A1414", "Horticulture et maraîchage"},
	{"C1102", "Conseil clientèle en assurances"},
	{"C1206", "Gestion de clientèle bancaire"},
	{"D1101", "Boucherie"},
	{"D1102", "Boulangerie - viennoiserie"},
	{"D1104", "Pâtisserie, confiserie, chocolaterie et glacerie"},
	{"D1106", "Vente en alimentation"},
	{"D1202", "Coiffure"},
	{"D1208", "Soins esthétiques et corporels"},
	{"D1214", "Vente en habillement et accessoires de la personne"},
	{"D1301", "Management de magasin de détail"},
	{"D1401", "Assistanat commercial"},
	{"D1402", "Relation commerciale grands comptes et entreprises"},
	{"D1403", "Relation commerciale auprès de particuliers"},
	{"D1502", "Management/gestion de rayon produits alimentaires"},
	{"D1505", "Personnel de caisse"},
	{"D1507", "Mise en rayon libre-service"},
	{"E1103", "Communication"},
	{"F1201", "Conduite de travaux du BTP et de travaux paysagers"},
	{"F1502", "Montage de structures métalliques"},
	{"F1602", "Électricité bâtiment"},
	{"F1603", "Installation d'équipements sanitaires et thermiques"},
	{"F1606", "Peinture en bâtiment"},
	{"F1607", "Pose de fermetures menuisées"},
	{"F1610", "Pose et restauration de couvertures"},
	{"F1701", "Construction en béton"},
	{"F1703", "Maçonnerie"},
	{"F1704", "Préparation du gros œuvre et des travaux publics"},
	{"G1204", "Éducation en activités sportives"},
	{"G1501", "Personnel d'étage"},
	{"G1602", "Personnel de cuisine"},
	{"G1603", "Personnel polyvalent en restauration"},
	{"G1605", "Plonge en restauration"},
	{"G1703", "Réception en hôtellerie"},
	{"G1803", "Service en restauration"},
	{"H2102", "Conduite d'équipement de production alimentaire"},
	{"H2909", "Montage-assemblage mécanique"},
	{"H2913", "Soudage manuel"},
	{"H3302", "Opérations manuelles d'assemblage, tri ou emballage"},
	{"I1203", "Maintenance des bâtiments et des locaux"},
	{"I1304", "Installation et maintenance d'équipements industriels et d'exploitation"},
	{"I1401", "Maintenance informatique et bureautique"},
	{"I1604", "Mécanique automobile et entretien de véhicules"},
	{"J1301", "Personnel polyvalent des services hospitaliers"},
	{"J1501", "Soins d'hygiène, de confort du patient"},
	{"J1506", "Soins infirmiers généralistes"},
	{"K1201", "Action sociale"},
	{"K1207", "Intervention socioéducative"},
	{"K1302", "Assistance auprès d'adultes"},
	{"K1303", "Assistance auprès d'enfants"},
	{"K1304", "Services domestiques"},
	{"K1305", "Intervention sociale et familiale"},
	{"K2110", "Formation en conduite de véhicules"},
	{"K2111", "Formation professionnelle"},
	{"K2204", "Nettoyage de locaux"},
	{"K2503", "Sécurité et surveillance privées"},
	{"M1203", "Comptabilité"},
	{"M1501", "Assistanat en ressources humaines"},
	{"M1602", "Opérations administratives"},
	{"M1606", "Saisie de données"},
	{"M1607", "Secrétariat"},
	{"M1705", "Marketing"},
	{"M1801", "Administration de systèmes d'information"},
	{"M1805", "Études et développement informatique"},
	{"N1101", "Conduite d'engins de déplacement des charges"},
	{"N1103", "Magasinage et préparation de commandes"},
	{"N1105", "Manutention manuelle de charges"},
	{"N4101", "Conduite de transport de marchandises sur longue distance"},
	{"N4102", "Conduite de transport de particuliers"},
	{"N4103", "Conduite de transport en commun sur route"},
	{"N4105", "Conduite et livraison par tournées sur courte distance"},
}

// qualified are the ROME codes of jobs paid above the minimum wage, by how
// much (1 skilled, 2 qualified or management).
var qualified = map[string]int{
	"C1102": 1, "C1206": 1, "D1101": 1, "D1301": 2, "D1401": 1, "D1402": 2, "D1403": 1, "D1502": 1,
	"E1103": 2, "F1201": 2, "F1502": 1, "F1602": 1, "F1603": 1, "F1607": 1, "F1610": 1, "F1701": 1,
	"F1703": 1, "G1204": 1, "H2909": 1, "H2913": 1, "I1203": 1, "I1304": 1, "I1401": 1, "I1604": 1,
	"J1506": 2, "K1201": 2, "K1207": 1, "K1305": 1, "K2110": 1, "K2111": 2, "M1203": 1, "M1501": 1,
	"M1705": 2, "M1801": 2, "M1805": 2, "N4101": 1, "N4103": 1,
}

// skillsByDomain lists skills by the letter of the ROME domain, for persons
// and offers to have comparable skills.
var skillsByDomain = map[byte][]string{
	'A': {"Entretien des espaces verts", "Utilisation d'outils motorisés", "Taille et élagage", "Récolte et conditionnement", "Conduite de tracteur"},
	'C': {"Conseil client", "Analyse de dossiers", "Vente de produits financiers", "Gestion de portefeuille clients"},
	'D': {"Accueil et conseil client", "Encaissement", "Mise en rayon et merchandising", "Techniques de vente", "Gestion des stocks", "Respect des règles d'hygiène (HACCP)"},
	'E': {"Rédaction de contenus", "Gestion des réseaux sociaux", "Organisation d'événements"},
	'F': {"Lecture de plans", "Travail en hauteur", "Règles de sécurité sur chantier", "Habilitation électrique", "Outillage électroportatif", "Pose et finitions"},
	'G': {"Respect des règles d'hygiène (HACCP)", "Service en salle", "Préparation des plats", "Accueil de la clientèle", "Horaires décalés", "Anglais professionnel"},
	'H': {"Conduite de ligne de production", "Contrôle qualité", "Lecture de plans", "Soudage TIG et MIG", "Consignes de sécurité", "Conditionnement"},
	'I': {"Diagnostic de panne", "Maintenance préventive", "Habilitation électrique", "Installation de postes informatiques", "Électromécanique"},
	'J': {"Soins d'hygiène et de confort", "Bionettoyage", "Écoute et bienveillance", "Transmissions ciblées", "Gestes d'urgence (AFGSU)"},
	'K': {"Accompagnement des personnes âgées", "Aide aux repas", "Entretien du logement", "Animation d'ateliers", "Écoute et bienveillance", "Nettoyage et désinfection", "Surveillance et rondes (CQP APS)"},
	'M': {"Bureautique (Word, Excel)", "Accueil téléphonique", "Saisie et classement", "Comptabilité générale", "Gestion administrative du personnel", "Développement web", "Bases de données SQL"},
	'N': {"Conduite de chariot élévateur (CACES R489)", "Préparation de commandes", "Gestion des stocks", "Permis C et CE", "Livraison et relation client", "Lecture de bons de livraison"},
}

// naf is an activity of the NAF rev. 2 with how companies doing it are
// named ("{}" is a family or commune name) and the jobs they offer.
type naf struct {
	code  string
	names []string
	jobs  []string
}

var nafCodes = []naf{
	{"01.13Z", []string{"Maraîchage {}", "Les Jardins de {}", "EARL {}"}, []string{"A1414", "A1101", "A1401"}},
	{"01.21Z", []string{"Domaine {}", "Vignobles {}", "Château {}"}, []string{"A1401", "A1101"}},
	{"10.11Z", []string{"Abattoirs de {}", "Viandes {}"}, []string{"D1101", "H2102", "N1105"}},
	{"10.71C", []string{"Boulangerie {}", "Au Fournil de {}", "Maison {}"}, []string{"D1102", "D1104", "D1106"}},
	{"10.89Z", []string{"Conserverie {}", "{} Alimentaire"}, []string{"H2102", "H3302", "N1103"}},
	{"25.62B", []string{"Mécanique {}", "Usinage {}", "{} Industrie"}, []string{"H2909", "H2913", "I1304"}},
	{"28.29B", []string{"{} Équipements", "Ateliers {}"}, []string{"H2909", "H2913", "H3302"}},
	{"29.32Z", []string{"{} Automotive", "Équipements auto {}"}, []string{"H2909", "H3302", "N1101"}},
	{"33.12Z", []string{"{} Maintenance", "Réparation industrielle {}"}, []string{"I1304", "H2913"}},
	{"41.20A", []string{"Maisons {}", "Constructions {}"}, []string{"F1703", "F1704", "F1201"}},
	{"41.20B", []string{"Bâtiment {}", "{} Construction"}, []string{"F1701", "F1703", "F1201"}},
	{"43.21A", []string{"Électricité {}", "{} Électricité Générale"}, []string{"F1602", "I1203"}},
	{"43.22A", []string{"Plomberie {}", "{} Chauffage Sanitaire"}, []string{"F1603", "I1203"}},
	{"43.34Z", []string{"Peinture {}", "{} Décoration"}, []string{"F1606"}},
	{"43.91A", []string{"Charpente {}", "Couverture {}"}, []string{"F1610", "F1502"}},
	{"43.32A", []string{"Menuiserie {}", "{} Fermetures"}, []string{"F1607"}},
	{"45.20A", []string{"Garage {}", "Auto Services {}"}, []string{"I1604", "D1403"}},
	{"46.90Z", []string{"{} Distribution", "Comptoir {}"}, []string{"N1103", "D1401", "D1402"}},
	{"47.11D", []string{"Supermarché {}", "Marché de {}"}, []string{"D1505", "D1507", "D1502", "D1106"}},
	{"47.11F", []string{"Hypermarché de {}"}, []string{"D1505", "D1507", "D1502", "D1301"}},
	{"47.71Z", []string{"Boutique {}", "{} Mode"}, []string{"D1214", "D1301"}},
	{"47.73Z", []string{"Pharmacie {}", "Pharmacie de {}"}, []string{"D1106", "M1607"}},
	{"49.39A", []string{"Autocars {}", "Transports urbains de {}"}, []string{"N4103", "I1604"}},
	{"49.41A", []string{"Transports {}", "{} Logistique"}, []string{"N4101", "N1103", "N1101"}},
	{"49.41B", []string{"Livraisons {}", "{} Express"}, []string{"N4105", "N1105"}},
	{"49.32Z", []string{"Taxis {}", "{} VTC"}, []string{"N4102"}},
	{"52.10B", []string{"Entrepôts {}", "Plateforme logistique de {}"}, []string{"N1103", "N1101", "N1105"}},
	{"55.10Z", []string{"Hôtel {}", "Hôtel de {}"}, []string{"G1703", "G1501", "G1803"}},
	{"56.10A", []string{"Restaurant {}", "Brasserie {}", "Le Bistrot de {}"}, []string{"G1602", "G1803", "G1605"}},
	{"56.10C", []string{"Snack {}", "{} Burger"}, []string{"G1603", "G1605"}},
	{"56.29A", []string{"Restauration collective {}", "{} Restauration"}, []string{"G1602", "G1603", "G1605"}},
	{"62.01Z", []string{"{} Informatique", "{} Software", "Numérique {}"}, []string{"M1805", "M1801", "I1401"}},
	{"64.19Z", []string{"Banque {}", "Crédit de {}"}, []string{"C1206", "M1602"}},
	{"65.12Z", []string{"Assurances {}", "Mutuelle de {}"}, []string{"C1102", "M1602", "M1606"}},
	{"69.20Z", []string{"Cabinet {}", "Expertise comptable {}"}, []string{"M1203", "M1607", "M1606"}},
	{"73.11Z", []string{"Agence {}", "{} Communication"}, []string{"E1103", "M1705"}},
	{"78.20Z", []string{"Intérim {}", "{} Travail Temporaire"}, []string{"N1105", "H3302", "N1103", "F1704"}},
	{"80.10Z", []string{"{} Sécurité", "Gardiennage {}"}, []string{"K2503"}},
	{"81.21Z", []string{"{} Propreté", "Nettoyage {}"}, []string{"K2204"}},
	{"81.30Z", []string{"Paysages {}", "Espaces verts {}"}, []string{"A1203"}},
	{"85.53Z", []string{"Auto-école {}", "École de conduite de {}"}, []string{"K2110"}},
	{"85.59A", []string{"Formation {}", "Institut de formation de {}"}, []string{"K2111", "M1607"}},
	{"86.10Z", []string{"Clinique {}", "Centre hospitalier de {}"}, []string{"J1501", "J1506", "J1301"}},
	{"87.10A", []string{"EHPAD {}", "Résidence {}"}, []string{"J1501", "J1301", "K1302"}},
	{"88.10A", []string{"Aide à domicile {}", "{} Services à la personne"}, []string{"K1302", "K1304", "K1305"}},
	{"88.91A", []string{"Crèche {}", "Les Petits de {}"}, []string{"K1303"}},
	{"93.13Z", []string{"{} Fitness", "Salle de sport {}"}, []string{"G1204"}},
	{"96.02A", []string{"Coiffure {}", "Salon {}"}, []string{"D1202"}},
	{"96.02B", []string{"Institut {}", "Beauté {}"}, []string{"D1208"}},
}

// sizes are INSEE workforce bands, small ones first and most frequent.
var sizes = weighted[string]{
	{"00", 8}, {"01", 20}, {"02", 18}, {"03", 14}, {"11", 14}, {"12", 12},
	{"21", 6}, {"22", 4}, {"31", 1}, {"32", 2}, {"41", 1},
}

// contactRoles are the jobs of company contacts, in the masculine and the feminine.
var contactRoles = [][2]string{
	{"Gérant", "Gérante"}, {"Responsable des ressources humaines", "Responsable des ressources humaines"},
	{"Chargé de recrutement", "Chargée de recrutement"}, {"Directeur d'établissement", "Directrice d'établissement"},
	{"Directeur d'agence", "Directrice d'agence"}, {"Chef d'équipe", "Cheffe d'équipe"}, {"Assistant de direction", "Assistante de direction"},
}

// femaleNames and maleNames are frequent French first names of people born
// between 1960 and 2009, most frequent first.
var femaleNames = []string{
	"Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sandrine", "Valérie", "Christine", "Stéphanie", "Céline",
	"Aurélie", "Julie", "Émilie", "Sophie", "Laetitia", "Caroline", "Virginie", "Élodie", "Audrey", "Mélanie",
	"Camille", "Manon", "Léa", "Chloé", "Sarah", "Inès", "Emma", "Laura", "Marine", "Pauline",
	"Karine", "Véronique", "Patricia", "Laurence", "Anne", "Jade", "Lucie", "Océane", "Anaïs", "Clara",
	"Mathilde", "Justine", "Morgane", "Amandine", "Jessica", "Sabrina", "Nadia", "Fatima", "Yasmine", "Aïcha",
	"Samira", "Leïla", "Myriam", "Sonia", "Alexandra", "Charlotte", "Margaux", "Lina", "Maëlys", "Louise",
	"Alice", "Juliette", "Zoé", "Lola", "Elsa", "Romane", "Eva", "Agathe", "Nina", "Mariam",
	"Awa", "Fatoumata", "Ophélie", "Vanessa", "Delphine", "Florence", "Hélène", "Corinne", "Martine", "Cindy",
}

var maleNames = []string{
	"Nicolas", "Christophe", "Stéphane", "David", "Sébastien", "Julien", "Laurent", "Frédéric", "Philippe", "Thomas",
	"Jean", "Pierre", "Michel", "Alain", "Patrick", "Éric", "Olivier", "Thierry", "Pascal", "Vincent",
	"Alexandre", "Maxime", "Romain", "Anthony", "Kevin", "Mickaël", "Jonathan", "Mathieu", "Florian", "Antoine",
	"Lucas", "Hugo", "Théo", "Enzo", "Louis", "Nathan", "Léo", "Mathis", "Clément", "Quentin",
	"Benjamin", "Adrien", "Guillaume", "Jérôme", "François", "Bruno", "Didier", "Franck", "Cédric", "Fabrice",
	"Alexis", "Valentin", "Dylan", "Yanis", "Rayan", "Mehdi", "Karim", "Mohamed", "Ahmed", "Youssef",
	"Samir", "Bilal", "Ibrahim", "Moussa", "Mamadou", "Sofiane", "Hamza", "Adam", "Gabriel", "Raphaël",
	"Arthur", "Paul", "Baptiste", "Loïc", "Yannick", "Sylvain", "Jacques", "Marc", "Daniel", "Dominique",
}

// familyNames are about 200 frequent family names in France, most frequent
// first, including those of overseas France and of immigration.
var familyNames = []string{
	"Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
	"Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
	"Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefèvre", "Faure", "André",
	"Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia",
	"Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson",
	"Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier",
	"Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud",
	"Martinez", "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron",
	"Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe",
	"Bourgeois", "Pierre", "Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume", "Lecomte",
	"Lopez", "Jean", "Dupuy", "Guillot", "Hubert", "Berger", "Carpentier", "Sanchez", "Dupuis", "Moulin",
	"Louis", "Deschamps", "Huet", "Vasseur", "Perez", "Boucher", "Fleury", "Royer", "Klein", "Jacquet",
	"Adam", "Paris", "Poirier", "Marty", "Aubry", "Guyot", "Carré", "Charles", "Renault", "Charpentier",
	"Ménard", "Maillard", "Baron", "Bertin", "Bailly", "Hervé", "Schneider", "Fernandez", "Le Gall", "Collet",
	"Léger", "Bouvier", "Julien", "Prévost", "Millet", "Perrot", "Daniel", "Le Roux", "Cousin", "Germain",
	"Breton", "Besson", "Langlois", "Rémy", "Le Goff", "Pelletier", "Lévêque", "Perrier", "Leblanc", "Barré",
	"Lebrun", "Marchal", "Weber", "Mallet", "Hamon", "Boulanger", "Jacob", "Monnier", "Michaud", "Rodriguez",
	"Guichard", "Gillet", "Étienne", "Grondin", "Poulain", "Tessier", "Chevallier", "Collin", "Chauvin", "Da Silva",
	"Nguyen", "Diallo", "Traoré", "Benali", "Haddad", "Ferreira", "Pereira", "Dos Santos", "Rodrigues", "Gomes",
	"Koné", "Diop", "Ndiaye", "Camara", "Cissé", "Mansouri", "Amrani", "Belkacem", "Bouzid", "Yilmaz",
	"Hoarau", "Tran", "Cohen", "Lévy", "Mendes", "Bah", "Keita", "Ben Ahmed", "Kaya", "Lemaître",
}

// streets are common French street names.
var streets = []string{
	"rue Victor Hugo", "rue de la République", "avenue Jean Jaurès", "rue Pasteur", "place de la Mairie",
	"rue du Général de Gaulle", "boulevard Gambetta", "rue Jules Ferry", "avenue de la Gare", "rue de l'Église",
	"chemin des Vignes", "allée des Tilleuls", "rue des Écoles", "impasse des Lilas", "rue Émile Zola",
	"avenue Carnot", "rue Voltaire", "rue Jean Moulin", "rue Anatole France", "rue du Moulin",
	"rue des Acacias", "rue de Verdun", "boulevard de la Liberté", "rue de la Paix", "avenue Foch",
	"rue Nationale", "rue du Stade", "rue des Roses", "rue Saint-Martin", "rue de la Fontaine",
	"avenue du Maréchal Leclerc", "rue Gabriel Péri", "rue Paul Vaillant-Couturier", "rue Pierre Brossolette", "rue Jean Jaurès",
	"rue Aristide Briand", "rue des Jardins", "rue du Château", "place du Marché", "rue des Frères Lumière",
}

// emailProviders are the mailbox providers of persons' addresses.
var emailProviders = weighted[string]{
	{"gmail.com", 40}, {"orange.fr", 14}, {"hotmail.fr", 12}, {"yahoo.fr", 7}, {"outlook.fr", 7},
	{"free.fr", 6}, {"laposte.net", 5}, {"sfr.fr", 5}, {"icloud.com", 4},
}

// banks are French bank codes (code banque) with the BIC of the bank.
var banks = []struct{ code, bic string }{
	{"30004", "BNPAFRPPXXX"}, {"30003", "SOGEFRPPXXX"}, {"30002", "CRLYFRPPXXX"}, {"20041", "PSSTFRPPXXX"},
	{"10278", "CMCIFR2AXXX"}, {"30066", "CMCIFRPPXXX"}, {"10107", "BREDFRPPXXX"}, {"40618", "BOUSFRPPXXX"},
	{"18206", "AGRIFRPP882"}, {"13335", "CEPAFRPP333"},
}

// countries are INSEE codes of countries of birth of persons born abroad,
// as the NIR writes them after "99".
var countries = weighted[string]{
	{"352", 20}, {"350", 20}, {"351", 8}, {"139", 8}, {"341", 5}, {"335", 5},
	{"326", 4}, {"322", 3}, {"208", 4}, {"114", 4}, {"134", 3}, {"127", 3}, {"109", 2}, {"243", 2},
}

var languages = weighted[string]{{"en", 60}, {"es", 13}, {"ar", 11}, {"de", 6}, {"pt", 5}, {"it", 3}, {"tr", 1}, {"ro", 1}}

var healthNotes = []string{
	"Éviter le port de charges lourdes.",
	"Poste assis de préférence, pauses régulières.",
	"Temps partiel thérapeutique recommandé.",
	"Aménagement de l'écran et du poste de travail.",
	"Pas de travail en hauteur.",
	"",
}

var justiceMeasures = []string{
	"Sursis probatoire avec obligation de travail",
	"Travail d'intérêt général",
	"Placement sous surveillance électronique",
	"Libération conditionnelle",
}

// partnerNames are the kinds of partner of the network; "{}" is a commune.
var partnerNames = []string{
	"PLIE {}", "Association Tremplin {}", "Atelier chantier d'insertion {}", "Entreprise d'insertion Passerelles {}",
	"Régie de quartier {}", "Cité des métiers {}", "Maison de l'emploi {}", "Association Emploi Solidaire {}",
}
