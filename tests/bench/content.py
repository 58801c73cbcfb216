"""Word banks for the benchmark data: towns, people, group names and descriptions.

Plain German as offices write it, so that the directory's search (stemming, compounds,
synonyms, typos) has the same work to do as on real data. Nothing here is real
personal data: names are common first and last names combined at random.
"""


def _bank(text):
    """The entries of a comma-separated bank; entries may contain blanks."""
    return [entry.strip() for entry in text.split(",") if entry.strip()]


# Towns of the offices. The first is the office the benchmark personas belong to, at
# every scale; the rest are mid-sized German towns, then made-up ones (``made_up_town``).
TOWNS = _bank(
    """
    Göttingen, Lüneburg, Hildesheim, Marburg, Gießen, Fulda, Kassel, Paderborn, Bielefeld,
    Detmold, Minden, Herford, Gütersloh, Münster, Osnabrück, Oldenburg, Emden,
    Wilhelmshaven, Cuxhaven, Stade, Celle, Wolfsburg, Salzgitter, Goslar, Braunschweig,
    Magdeburg, Halberstadt, Dessau, Halle (Saale), Merseburg, Leipzig, Zwickau, Plauen,
    Chemnitz, Freiberg, Bautzen, Görlitz, Cottbus, Potsdam, Brandenburg an der Havel,
    Neuruppin, Schwerin, Rostock, Stralsund, Greifswald, Neubrandenburg, Lübeck, Kiel,
    Flensburg, Neumünster, Itzehoe, Bremerhaven, Verden, Nienburg, Hameln, Holzminden,
    Höxter, Warburg, Korbach, Siegen, Olpe, Lüdenscheid, Hagen, Iserlohn, Arnsberg, Soest,
    Hamm, Unna, Dortmund, Bochum, Herne, Recklinghausen, Gelsenkirchen, Bottrop,
    Oberhausen, Mülheim an der Ruhr, Duisburg, Moers, Wesel, Kleve, Krefeld, Viersen,
    Mönchengladbach, Neuss, Düren, Aachen, Euskirchen, Bonn, Siegburg, Koblenz, Neuwied,
    Montabaur, Limburg, Wetzlar, Hanau, Offenbach, Darmstadt, Worms, Mainz, Bingen,
    Idar-Oberstein, Trier, Saarlouis, Homburg, Kaiserslautern, Pirmasens, Landau, Speyer,
    Ludwigshafen, Mannheim, Heidelberg, Heilbronn, Pforzheim, Karlsruhe, Baden-Baden,
    Offenburg, Freiburg im Breisgau, Lörrach, Konstanz, Ravensburg, Ulm, Biberach,
    Reutlingen, Tübingen, Esslingen, Ludwigsburg, Aalen, Schwäbisch Hall, Crailsheim,
    Würzburg, Schweinfurt, Bamberg, Bayreuth, Hof, Coburg, Erlangen, Fürth, Ansbach,
    Nördlingen, Ingolstadt, Regensburg, Passau, Landshut, Straubing, Deggendorf,
    Rosenheim, Traunstein, Kempten, Memmingen, Kaufbeuren, Augsburg, Weilheim,
    Garmisch-Partenkirchen, Erfurt, Weimar, Jena, Gera, Suhl, Eisenach, Gotha, Nordhausen
    """
)
TOWN_ROOTS = _bank(
    """
    Alten, Neu, Ober, Unter, Hohen, Wald, Berg, Stein, Linden, Eichen, Rosen, Mühl, Kirch,
    Sonnen, Brunn, Tann, Buchen, Birken, Wiesen, Hasel, Erlen, Fichten, Kalten, Schön,
    Grün, Roth, Weiß, Schwarz, Lauter, Stauden
    """
)
TOWN_SUFFIXES = _bank("hausen, heim, dorf, burg, feld, stadt, bach, born, au, rode")
DISTRICTS = _bank(
    """
    Altstadt, Innenstadt, Nordstadt, Südstadt, Weststadt, Oststadt, Mitte, Neustadt,
    Bahnhofsviertel, Am Hafen, Oberdorf, Unterdorf, Kirchberg, Schlossviertel,
    Gartenstadt, Auenviertel
    """
)


def made_up_town(number):
    """A plausible town name that is not in ``TOWNS`` ("Lindenfeld", "Hohenbach")."""
    root = TOWN_ROOTS[number % len(TOWN_ROOTS)]
    suffix = TOWN_SUFFIXES[(number // len(TOWN_ROOTS)) % len(TOWN_SUFFIXES)]
    return root + suffix


STREETS = _bank(
    """
    Hauptstraße, Bahnhofstraße, Schulstraße, Gartenstraße, Kirchstraße, Lindenallee,
    Marktplatz, Goethestraße, Schillerstraße, Ringstraße, Am Markt, Friedensstraße,
    Mühlenweg, Parkstraße
    """
)
ROOM_NAMES = ["Gruppenraum 1", "Gruppenraum 2", "Seminarraum", "Kleiner Saal", "Großer Saal"]
SITE_NAMES = ["Standort Mitte", "Standort Nord", "Standort Süd", "Außenstelle"]

FIRST_NAMES = _bank(
    """
    Anna, Maria, Thomas, Jonas, Fatma, Mehmet, Olga, Sergej, Lena, Paul, Sabine, Petra,
    Michael, Andreas, Ayşe, Katarzyna, Jan, Ines, Yusuf, Leyla, Monika, Ursula, Klaus,
    Jürgen, Heike, Birgit, Stefan, Martina, Nadine, Tobias, Julia, Sarah, Lukas, Hannah,
    Elif, Dmitri, Svetlana, Amina, Omar, Sofia, Luca, Giulia, Marco, Renate, Helga, Gerhard,
    Wolfgang, Karin, Frank, Susanne, Emre, Natalia, Ahmad,
    """
)
LAST_NAMES = _bank(
    """
    Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann,
    Koch, Richter, Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann, Braun, Krüger,
    Hartmann, Lange, Schmitt, Werner, Krause, Meier, Lehmann, Yılmaz, Kaya, Demir, Nowak,
    Kowalski, Ivanova, Petrov, Rossi, Haddad, Nguyen, Popescu, Horvat, Öztürk, Jansen,
    Brandt, Vogel, Sommer,
    """
)

# Topics seekers ask for most often weigh more; every other thesaurus topic weighs 2.
TOPIC_WEIGHTS = {
    "Depression": 40,
    "Angststörung": 25,
    "Alkoholabhängigkeit": 25,
    "Pflegende Angehörige": 15,
    "Trauer": 15,
    "Diabetes": 12,
    "Angehörige Suchtkranker": 10,
    "Burnout": 10,
    "Brustkrebs": 10,
    "Krebs allgemein": 10,
    "Angehörige psychisch Kranker": 8,
    "Angehörige von Demenzkranken": 8,
    "Multiple Sklerose": 8,
    "Parkinson": 8,
    "Long COVID": 8,
    "Chronische Schmerzen": 8,
    "Essstörung": 6,
    "ADHS": 6,
    "Borderline": 6,
    "Trennung und Scheidung": 6,
    "Einsamkeit": 6,
    "Alleinerziehende": 6,
    "Medikamentenabhängigkeit": 5,
    "Spielsucht": 5,
    "Rheuma": 5,
    "Tinnitus": 5,
    "Schlaganfall": 5,
    "Prostatakrebs": 5,
    "Morbus Crohn": 4,
    "Autismus": 4,
}
DEFAULT_TOPIC_WEIGHT = 2
# Topics whose groups are often not listed at all (anonymous groups, protection).
PROTECTED_CATEGORIES = {"gewalt-missbrauch"}
ADDICTION_CATEGORY = "sucht"

# Names as offices list them; {t} is the topic (or one of its synonyms), {p} a place.
NAME_PATTERNS = [
    "Selbsthilfegruppe {t}",
    "Selbsthilfegruppe {t} {p}",
    "Gesprächskreis {t}",
    "Gesprächskreis {t} {p}",
    "{t} – Betroffene im Austausch",
    "Treffpunkt {t} {p}",
    "{t}-Gruppe {p}",
    "Offener Treff {t}",
    "{t}: gemeinsam statt allein",
]
RELATIVES_PATTERNS = [
    "Angehörigengruppe {t} {p}",
    "Angehörige und {t}",
    "Gesprächskreis für Angehörige: {t}",
]
YOUNG_PATTERNS = ["Junge Erwachsene mit {t}", "Junge Selbsthilfe {t} {p}", "{t} – junge Gruppe"]
ONLINE_PATTERNS = ["Online-Gruppe {t}", "{t} online", "Digitaler Gesprächskreis {t}"]
# Well-known associations whose local groups carry their name.
ASSOCIATION_NAMES = {
    "Alkoholabhängigkeit": [
        "Kreuzbund {p}",
        "Blaues Kreuz {p}",
        "Anonyme Alkoholiker {p}",
        "Freundeskreis Suchtkrankenhilfe {p}",
    ],
    "Angehörige Suchtkranker": ["Al-Anon Familiengruppe {p}"],
    "Brustkrebs": ["Frauenselbsthilfe Krebs {p}"],
    "Diabetes": ["Diabetiker-Treff {p}"],
    "Parkinson": ["Parkinson-Regionalgruppe {p}"],
    "Multiple Sklerose": ["DMSG-Kontaktgruppe {p}"],
}

OPENINGS = {
    "affected": [
        "Wir sind Menschen, die mit {t} leben.",
        "In unserer Gruppe treffen sich Betroffene zum Thema {t}.",
        "Wir sind eine Gruppe von Frauen und Männern mit {t}.",
    ],
    "relatives": [
        "Wir sind Angehörige von Menschen mit {t}: Eltern, Partnerinnen, Partner und Kinder.",
        "Unsere Gruppe ist für Angehörige und Freunde von Betroffenen ({t}).",
    ],
    "both": [
        "Betroffene und Angehörige sprechen bei uns gemeinsam über {t}.",
        "Bei uns treffen sich Menschen mit {t} und ihre Familien.",
    ],
}
MIDDLES = [
    "Wir tauschen Erfahrungen aus, hören einander zu und machen uns gegenseitig Mut.",
    "Im Mittelpunkt stehen der Alltag, die Arbeit und der Umgang mit Ärztinnen und Ärzten.",
    "Wir sprechen über Behandlungsmöglichkeiten, Rückschläge und kleine Fortschritte.",
    "Manchmal laden wir Fachleute zu Vorträgen ein.",
    "Was in der Gruppe gesagt wird, bleibt in der Gruppe.",
    "Gemeinsam unternehmen wir auch Ausflüge und feiern Feste.",
    "Wir informieren uns über Rehabilitation, Therapie und Hilfen im Alltag.",
    "Jede und jeder erzählt nur so viel, wie sie oder er möchte.",
    "Die Gruppe gibt es seit vielen Jahren; einige Mitglieder sind von Anfang an dabei.",
    "Wir achten auf einen respektvollen Umgang und feste Gesprächsregeln.",
]
SYNONYM_SENTENCE = "Auch wer sich mit {s} beschäftigt, ist herzlich eingeladen."
YOUNG_SENTENCE = "Die Gruppe richtet sich an junge Erwachsene zwischen 18 und 35 Jahren."
SENIORS_SENTENCE = "Die meisten von uns sind im Ruhestand; wir treffen uns am Nachmittag."
FORMAT_SENTENCES = {
    "online": "Wir treffen uns online per Videokonferenz; einen Link gibt es über die "
    "Kontaktstelle.",
    "hybrid": "Man kann vor Ort oder online teilnehmen.",
    "in_person": "",
}
NEW_MEMBER_SENTENCES = {
    "yes": "Neue Mitglieder sind herzlich willkommen.",
    "no": "Zurzeit nehmen wir keine neuen Mitglieder auf.",
    "waiting_list": "Es gibt eine Warteliste; sprechen Sie die Kontaktstelle an.",
}
WEEKDAY_NAMES = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]

REQUESTED_BY = [
    "Gründerin der Gruppe",
    "Gründer der Gruppe",
    "Gruppensprecherin",
    "Gruppensprecher",
    "zwei Interessierte",
    "Kontaktstelle",
]
AGREEMENTS = [
    "Erste Treffen mit Vorstellungsrunde, danach Gesprächsregeln vereinbaren.",
    "Raum und Rhythmus klären, Rollen in der Gruppe besprechen.",
    "Impuls zu Struktur und Gesprächsführung, Rückzug nach drei Treffen.",
]
PROCESS_NOTES = [
    "Offene Runde, alle kamen zu Wort.",
    "Gruppe hat Regeln besprochen und aufgeschrieben.",
    "Die Gruppe findet ihren Rhythmus.",
    "Etwas unruhig, zwei Neue.",
    "Rückzug vorbereitet, die Gruppe trägt sich.",
]
COHORT_PLACES = ["Bildungszentrum", "Kontaktstelle, Großer Saal", "Volkshochschule"]
TRAINERS = ["A. Berger, M. Okafor", "S. Lindner", "K. Yıldız, P. Hahn"]
EVENT_TITLES = {
    "exchange": ["Austauschtreffen der In-Gang-Setzer:innen", "Regionales Austauschtreffen"],
    "supervision": ["Supervision", "Gruppensupervision"],
    "continuing_education": [
        "Fortbildung: Gruppen in Krisen",
        "Fortbildung: Gesprächsführung",
        "Fortbildung: Gruppen mit Migrationserfahrung",
    ],
}
