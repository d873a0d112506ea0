"""Fictitious identities of the people accompanied: names as diverse as a French département's, and NIR.

French surnames are many and unevenly shared: a few very common ones (Martin, Bernard…), a long tail of
rare ones, names of every origin, compound names, married women known by their usage name. The draw below
mixes several hundred real common surnames (more likely the higher their rank), surnames of the origins
most present in Île-de-France, a long tail of rarer French-sounding surnames built from roots and endings,
and double names. First names follow the generation (a Sylvie is born in 1965, an Inès in 2000) and, for
part of the people, the origin of the surname.
"""

import itertools

# Common French surnames, roughly by decreasing frequency.
COMMON = """
Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefebvre Leroy Roux David
Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Muller Lefèvre Faure André Mercier
Blanc Guérin Boyer Garnier Chevalier François Legrand Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry
Roussel Mathieu Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noël Meyer Dufour Meunier Brun Blanchard
Giraud Joly Rivière Lucas Brunet Gaillard Barbier Arnaud Martinez Gérard Roche Renard Schmitt Roy Leroux Colin
Vidal Caron Picard Roger Fabre Aubert Lemoine Renaud Dumas Lacroix Olivier Philippe Bourgeois Pierre Benoît Rey
Leclerc Payet Rolland Leclercq Guillaume Lecomte Lopez Jean Dupuy Guillot Hubert Berger Carpentier Sanchez Dupuis
Moulin Louis Deschamps Huet Vasseur Perez Boucher Fleury Royer Klein Jacquet Adam Paris Poirier Marty Aubry Guyot
Carré Charles Renault Charpentier Ménard Maillard Baron Bertin Bailly Hervé Schneider Fernandez Collet Léger
Bouvier Julien Prévost Millet Perrot Daniel Cousin Germain Breton Besson Langlois Rémy Pelletier Lévêque Perrier
Leblanc Barré Lebrun Marchal Weber Mallet Hamon Boulanger Jacob Monnier Michaud Rodriguez Guichard Gillet Étienne
Grondin Poulain Tessier Chevallier Collin Chauvin Bouchet Gay Lemaître Bénard Maréchal Humbert Reynaud Antoine
Hoarau Perret Barthélemy Cordier Pichon Lejeune Gilbert Lamy Delaunay Pasquier Carlier Laporte Gomez Dubreuil
Lefort Hamel Devaux Ollivier Leblond Huguet Lebon Courtois Tanguy Texier Chartier Bouchard Lesage Valentin Mathis
Hardy Bigot Chauvet Vallée Bodin Guillon Langlais Maillot Pons Thibault Delmas Barbe Brunel Pineau Potier
Descamps Verdier Raynaud Toussaint Vaillant Tournier Leconte Labbé Blondel Jourdan Jacques Camus Joubert Clerc
Lacombe Bousquet Foucher Lemarchand Maury Guilbert Cornu Bazin Jolly Bonneau Roques Boutin Ferrand Ferry Faivre
Launay Lecoq Ricard Besnard Delattre Grenier Poulet Dumoulin Allard Gaudin Weiss Marion Guillet Hebert Legros
Bertrand Riou Favre Vacher Chauveau Lemonnier Delorme Moreno Bouvet Bernier Gros Boulay Laine Charrier Pages
Gosselin Levy Rocher Hamelin Cartier Marin Brunetti Delage Loiseau Maurice Raymond Buisson Maillet Bonnin Doucet
Rault Guillemin Maillard Dupré Duhamel Rigaud Devaux Carré Jacquot Benard Pierson Vallet Lemercier Tissier
Thiebaut Hemery Delahaye Drouet Blin Pottier Martel Coste Rossignol Barre Lenoir Gilles Hoareau Techer Bertholet
Masse Jeanne Chabert Cottin Potin Berthelot Chapuis Baudry Marais Guyon Boulet Lemaitre Couturier Labat Sauvage
Mounier Chauvel Navarro Leduc Bonhomme Vasseur Poncet Granger Rolland Dupuis Chevrier Tardy Maurin Terrier
Boisson Leveque Vial Bonnard Duclos Rousset Salmon Jacquin Bourdon Ledoux Leger Fortin Joubert Pascal Lemaire
Colas Hue Cordonnier Millot Blot Ferrier Parent Guillou Alexandre Bouquet Simonet Jouan Pinel Mathe Lagarde
"""

# Surnames of other origins, by group, with the group's share among them.
ORIGINS = {
    "maghreb": (
        32,
        """
        Benali Haddad Belkacem Bouzid Mansouri Hamidi Saidi Cherif Brahimi Boukhari Amrani Belaïd Benyahia Bensaïd
        Boudjema Chaoui Djebbar El_Amrani El_Idrissi Ferhat Guendouz Kaci Khelifi Lahlou Meziane Messaoudi Mokrani
        Ouali Rahmani Slimani Taleb Zerrouki Ziani Aït_Ahmed Ben_Ali Benmoussa Bouaziz Chabane Daoudi Hamdi Jaziri
        Kaddour Lounis Mebarki Naceri Rezki Sahraoui Touati Yahiaoui Zitouni Belhadj Bennani Benhamou Tahiri Alaoui
        Berrada Chraibi El_Fassi Ouazzani Bouchareb Laroussi Mejri Trabelsi Ben_Salah Gharbi Jebali Hammami Ayari
        Dridi Aissaoui Amara Belarbi Benaissa Boualem Bouras Chalabi Derradji Hadjadj Kherbache Lakhdari Madani
        Mahdi Nasri Oukaci Saadi Sebbah Tounsi Yousfi Zaidi Benchikh Bendjelloul Bourahla Cherifi Guerfi Hamza
        Ait_Ouali Ben_Amor Bakkali El_Mansouri Ezzahi Idrissi Kabbaj Lamrani Mouhoub Ouahabi Rachidi Sefiani
""",
    ),
    "west_africa": (
        24,
        """
        Diallo Traoré Camara Keita Coulibaly Diop Ndiaye N'Diaye Sow Sylla Cissé Touré Konaté Diarra Koné Bamba Ba
        Fofana Sissoko Doumbia Diakité Sangaré Dembélé Kanté Diaby Gueye Fall Faye Sarr Mbaye Niang Diouf Seck Mendy
        Gomis Kouassi Kouadio Yao Konan N'Guessan Bakayoko Ouattara Tall Barry Bah Baldé Condé Soumaré Tandia
        Magassa Dramé Sakho Timera Tounkara Niakaté Cissoko Kamara Dia Thiam Ndoye Ndour Sy Diawara Dabo Soumah
        Kaba Samaké Tangara Sidibé Bathily Gassama Diagne Sall Wade Kébé Dieng Badji Sagna Coly Diatta Manga
""",
    ),
    "central_africa": (
        6,
        """
        Mbala Nkounkou Makosso Mabiala Kabeya Mukendi Tshibangu Ilunga Lukusa Nzuzi Ebongue Mbarga Nguema Essomba
        Fotso Kamga Tchoumi Mouanda Bouity Malonga Mampouya Kiese Lumbala Mbuyi Tshimanga Kalonji Atangana Owona
        Ngono Mvondo Ekotto Nzeyimana Habimana Ndayishimiye
""",
    ),
    "portuguese": (
        12,
        """
        Da_Silva Dos_Santos Ferreira Pereira Rodrigues Fernandes Gonçalves Lopes Martins Oliveira Sousa Carvalho
        Teixeira Ribeiro Pinto Costa Almeida Mendes Correia Moreira Cardoso Monteiro Machado Da_Costa De_Sousa
        Coelho Marques Alves Nunes Vieira Azevedo Simões Fonseca Tavares Da_Cunha De_Oliveira Barbosa Magalhães
        Rocha Cunha Batista Freitas Pires Gomes Antunes Matos Lourenço
""",
    ),
    "spanish": (
        6,
        """
        Gonzalez Hernandez Ruiz Diaz Jimenez Alvarez Romero Torres Dominguez Vazquez Ramos Gil Serrano Blanco Molina
        Ortega Delgado Castro Ortiz Rubio Sanz Nunez Iglesias Medina Garrido Cortes Castillo Santos Lozano Guerrero
        Cano Prieto Mendez Cruz Calvo Gallego Leon Marquez Herrera Flores Cabrera Campos Vega Fuentes Carrasco
        Caballero Reyes Nieto Aguilar Pascual Herrero Lorenzo Montero Hidalgo Gimenez Ibanez Ferrer Duran Benitez
        Vicente Vargas Carmona Crespo Soto Velasco Soler Parra Esteban Bravo Gallardo
""",
    ),
    "italian": (
        5,
        """
        Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti De_Luca Mancini
        Giordano Rizzo Lombardi Moretti Barbieri Fontana Santoro Mariani Rinaldi Caruso Ferrara Galli Martini Leone
        Longo Gentile Martinelli Vitale Lombardo Serra Coppola De_Santis D'Angelo Marchetti Parisi Villa Conte
        Ferraro Ferri Fabbri Bianco Marini Grasso Valentini Messina De_Angelis Gatti Pellegrini Palumbo Sanna
        Farina Rizzi Monti Cattaneo Morelli Amato Silvestri Mazza Testa Grassi Carbone Giuliani Benedetti Barone
""",
    ),
    "asian": (
        6,
        """
        Nguyen Tran Le Pham Hoang Phan Vu Vo Dang Bui Do Ho Ngo Duong Ly Truong Dinh Lam Luong Mai Wang Li Zhang Liu
        Chen Yang Huang Zhao Wu Zhou Lin Chan Wong Sok Chea Kim Lim Tan Ung Heng Meas Chhim Keo Sam Vong
""",
    ),
    "turkish": (
        4,
        """
        Yilmaz Kaya Demir Sahin Celik Yildiz Yildirim Ozturk Aydin Ozdemir Arslan Dogan Kilic Aslan Cetin Kara Koc
        Kurt Ozkan Simsek Polat Erdogan Gunes Aksoy Tekin Karaca Ates Bulut Keskin Duman
""",
    ),
    "eastern_europe": (
        3,
        """
        Kowalski Nowak Wisniewski Lewandowski Kaminski Zielinski Szymanski Wozniak Dabrowski Kozlowski Jankowski
        Mazur Krawczyk Popescu Ionescu Popa Stoica Dumitru Constantin Stan Munteanu Radu Georgescu Ivanov Petrov
        Smirnov Horvat Novak Kovacs Nagy Dimitrov Georgiev Petrovic Jovanovic Nikolic
""",
    ),
    "antilles": (
        5,
        """
        Pierre-Louis Jean-Baptiste Saint-Louis Jean-Louis Joseph Louis-Jeune Célestin Alexis Augustin Désir Florentin
        Jean-Pierre Laguerre Pierre-Charles Zamor Marie-Sainte Sainte-Rose Calixte Lubin Nelson Belfort Jean-Marie
        Larose Lafleur Beauséjour Ursulet Théophile Ladouceur Nicolas-Jean Dorval Jean-Charles Edouard Fils-Aimé
        Saint-Fleur Délice Bellance Clairvil
""",
    ),
    "south_asia": (
        3,
        """
        Sivakumar Rajendran Kumar Singh Khan Ahmed Hussain Ali Rahman Islam Chowdhury Hossain Uddin Begum Shah Patel
        Tharmalingam Sritharan Selvarajah Kanagaratnam Yogarajah Ravichandran Balasingam Mahendran Iqbal Akhtar
""",
    ),
    "armenian": (1, "Petrossian Hakobyan Sarkissian Manoukian Kevorkian Papazian Boghossian Der_Avanessian Minassian"),
    "regional": (
        8,
        """
        Le_Gall Le_Goff Le_Roux Le_Bihan Le_Floch Le_Corre Le_Guen Le_Bris Le_Meur Kerbrat Guivarch Quéré Le_Berre
        Le_Moal Le_Borgne Morvan Jézéquel Le_Gac Le_Bras Fischer Wagner Hoffmann Zimmermann Koch Schmidt Becker
        Keller Roth Hartmann Wolff Kieffer Walter Metz Etcheverry Etchegaray Irigoyen Larrieu Lafargue Darrigade
        Capdevielle Puyo Casanova Santoni Peretti Giacomoni Luciani Pietri Bartoli Mattei Ortoli Costantini
""",
    ),
}

# The long tail: French-sounding surnames from a root and an ending (Chabrol, Bourdaud, Vernière…).
ROOTS = """
Aub Bar Bast Beauv Bell Bér Bess Bill Blond Boiss Bonn Bouch Bourd Brach Bréh Cast Chab Cham Chap Chat Chaum Chen
Clav Coll Corn Coud Cour Crép Dall Delb Delm Dest Doum Duc Esc Fauch Ferr Foss Four Fréch Gab Garn Gaud Gerb Gouj
Grand Griff Guill Hauss Jaqu Jard Jouv Lab Lach Lamb Land Lanc Larch Latr Lav Lesc Lill Lom Mall Manc Mass Maug Merc
Mign Mont Mor Mouch Nav Pag Pell Perr Peyr Plan Pons Pouj Prun Rab Rav Rebr Rib Rich Rig Roch Rond Roub Sab Sauv Sen
Serr Souch Tab Tess Thib Tour Trib Vach Val Vaud Verd Vern Vill Viv Vol
"""
ENDINGS = """
ard aud eau el elin elle eron et ette ier in ineau on ot oux ault ey iard ès ac at ois y aine ole rol ière elet
illon
"""
# Between root and ending, half of the time: Bourd-el-in, Vern-ill-ière.
INFIXES = ("er", "el", "an", "on", "ill", "ev", "ig", "ur", "ol", "ich")
PARTICLES = ("Le", "La", "De", "Du", "Des")

FIRST_NAMES = {
    # French first names by the generation that bore them, then those of other origins.
    ("F", "1960"): """
        Sylvie Nathalie Isabelle Catherine Christine Martine Françoise Valérie Brigitte Patricia Véronique Sandrine
        Corinne Pascale Dominique Chantal Nadine Laurence Annie Marie-Christine Évelyne Muriel Florence Béatrice
        Marie-Hélène Anne-Marie Hélène Agnès Danielle Jocelyne Joëlle Monique Pascale Claudine Marie
    """,
    ("M", "1960"): """
        Philippe Pascal Alain Patrick Jean-Pierre Thierry Michel Éric Christian Didier Bruno Dominique Daniel Gérard
        Jean-Luc Laurent Frédéric Christophe Serge Jacques Bernard Olivier Jean-Marc Francis Gilles Hervé Joël
        Jean-Claude Marc Denis Jean-François Yves Jean Luc Stéphane
    """,
    ("F", "1976"): """
        Aurélie Céline Julie Émilie Stéphanie Sophie Élodie Virginie Caroline Delphine Sandrine Audrey Mélanie
        Laetitia Karine Vanessa Jennifer Amélie Marion Anne-Sophie Claire Séverine Cécile Émilie Élise Alexandra
        Magali Nadia Charlotte Marie Laure Jessica Sabrina Vanessa Ludivine
    """,
    ("M", "1976"): """
        Nicolas Julien Sébastien Christophe Guillaume Jérôme Mathieu Cédric Nicolas Alexandre Anthony Romain Vincent
        Fabien David Frédéric Stéphane Thomas Damien Jérémy Arnaud Benjamin Maxime Grégory Mickaël Sylvain Ludovic
        Yann Raphaël Florian Olivier Pierre Johann Jean-Baptiste François
    """,
    ("F", "1991"): """
        Manon Léa Camille Chloé Emma Océane Sarah Laura Marine Inès Clara Lucie Pauline Justine Mathilde Anaïs Lisa
        Jade Lola Zoé Léna Eva Louise Juliette Maëlys Alice Romane Margaux Élisa Noémie Morgane Clémence Jeanne Lou
        Louna Ambre Lina Célia
    """,
    ("M", "1991"): """
        Lucas Hugo Thomas Théo Enzo Nathan Mathis Clément Maxime Alexis Quentin Kévin Antoine Louis Tom Baptiste Paul
        Valentin Arthur Dylan Jules Ethan Raphaël Axel Noah Gabriel Nolan Loïc Corentin Adrien Victor Bastien Tristan
        Rémi Evan Timothée
    """,
    ("F", "maghreb"): """
        Fatima Amina Nadia Samira Karima Leïla Yasmine Nora Malika Rachida Souad Farida Khadija Meriem Sarah Inès
        Nour Kenza Sofia Lina Imane Salma Assia Djamila Hafsa Rania Sabrina Naïma Myriam Soraya Yamina Hayat Chaïma
        Wafa Houda Zineb Aya Hanane
    """,
    ("M", "maghreb"): """
        Mohamed Ahmed Karim Rachid Mehdi Samir Youssef Bilal Yacine Nabil Sofiane Farid Mourad Hakim Walid Omar Amine
        Ilyes Rayan Adam Anis Hamza Malik Said Abdelkader Kamel Nordine Redouane Khalid Mustapha Djamel Aymen Yanis
        Ismaël Sami Bachir Brahim
    """,
    ("F", "west_africa"): """
        Fatoumata Aminata Mariam Aïssatou Awa Kadiatou Fanta Hawa Oumou Assa Djénéba Bintou Coumba Ramatoulaye Adama
        Maïmouna Nafissatou Khady Sokhna Ndeye Aïcha Salimata Mariama Kadidia Astou Diarra Rokia Binta Fatou Safiatou
    """,
    ("M", "west_africa"): """
        Mamadou Moussa Ibrahima Abdoulaye Ousmane Amadou Boubacar Souleymane Sékou Modibo Cheikh Lamine Moctar
        Mahamadou Bakary Seydou Issa Adama Alassane Oumar Demba Samba Mamadou Lassana Siaka Karamoko Babacar Ibrahim
        Idrissa Youssouf
    """,
    ("F", "latin"): """
        Ana Maria Sofia Carla Beatriz Inês Joana Sandra Paula Rosa Carmen Lucia Elena Isabel Giulia Francesca Chiara
        Alessandra Laura Cristina Catarina Marta Sara Patricia Vanessa Daniela Tânia Mariana Raquel Filipa
    """,
    ("M", "latin"): """
        João José António Carlos Manuel Paulo Pedro Rui Miguel Luís Tiago Ricardo Bruno Nuno Jorge Francisco Javier
        Alejandro Diego Pablo Sergio Marco Luca Matteo Giuseppe Giovanni Alessandro Andrea Stefano Fabio
    """,
    (
        "F",
        "asian",
    ): "Thi Lan Mai Linh Hoa Hương Thu Ngoc Anh Mei Ling Yan Jing Xiu Sophea Dara Chantha Kim Mylène Lily",
    (
        "M",
        "asian",
    ): "Minh Tuan Duc Hung Nam Long Quang Van Hai Thanh Wei Jun Hao Chen Sovann Vannak Dara Kevin Tony Eric",
    ("F", "turkish"): "Elif Zeynep Ayşe Fatma Emine Hatice Merve Büşra Esra Derya Özlem Melek Sevgi Dilara Ebru",
    ("M", "turkish"): "Mehmet Mustafa Ahmet Ali Hüseyin Hasan İbrahim Murat Emre Burak Yusuf Ömer Kemal Serkan Volkan",
}

# Which first names go with which surnames, when they do.
FIRST_NAME_ORIGIN = {
    "maghreb": "maghreb",
    "west_africa": "west_africa",
    "central_africa": "west_africa",
    "portuguese": "latin",
    "spanish": "latin",
    "italian": "latin",
    "asian": "asian",
    "turkish": "turkish",
}

# Birthplaces in the NIR of people born abroad, by origin (INSEE country codes, 99 + three digits).
COUNTRIES = {
    "maghreb": ("99350", "99351", "99352"),
    "west_africa": ("99341", "99335", "99330", "99326", "99336"),
    "central_africa": ("99312", "99324", "99322"),
    "portuguese": ("99139",),
    "spanish": ("99134",),
    "italian": ("99127",),
    "asian": ("99243", "99234", "99216"),
    "turkish": ("99208",),
    "eastern_europe": ("99122", "99114", "99123"),
    "south_asia": ("99223", "99235", "99246"),
    "armenian": ("99252",),
}
# Départements where people of the Essonne were born, besides the Essonne itself (weights).
BIRTH_DEPARTEMENTS = {"75": 12, "92": 5, "93": 6, "94": 6, "77": 3, "78": 4, "95": 3, "59": 1, "69": 1, "13": 1}


def _names(text):
    """The names of a block, in order and once each; « Da_Silva » is written with an underscore for a space."""
    return list(dict.fromkeys(word.replace("_", " ") for word in text.split()))


class NameDrawer:
    """Draws surnames and first names with a seeded generator; cumulative weights are computed once."""

    COMMON_SHARE = 0.40
    ORIGINS_SHARE = 0.27
    RARE_SHARE = 0.29
    DOUBLE_SHARE = 0.04

    def __init__(self, rng):
        self.rng = rng
        self.common = _names(COMMON)
        # Zipf-like: the first names of the list are far more frequent than the last ones.
        self.common_weights = list(itertools.accumulate(1 / (rank + 25) ** 0.9 for rank in range(len(self.common))))
        self.origins = {group: _names(text) for group, (_, text) in ORIGINS.items()}
        self.origin_groups = list(ORIGINS)
        self.origin_weights = list(itertools.accumulate(share for share, _ in ORIGINS.values()))
        self.origin_rank_weights = {
            group: list(itertools.accumulate(1 / (rank + 12) for rank in range(len(names))))
            for group, names in self.origins.items()
        }
        self.roots = ROOTS.split()
        self.endings = ENDINGS.split()
        self.first = {key: list(dict.fromkeys(text.split())) for key, text in FIRST_NAMES.items()}

    def surname(self):
        """(surname, origin group): group is "french" for French names. About 4 % are double names."""
        if self.rng.random() < self.DOUBLE_SHARE:
            first, group = self.single_surname()
            second, _ = self.single_surname()
            return f"{first}{'-' if self.rng.random() < 0.6 else ' '}{second}", group
        return self.single_surname()

    def single_surname(self):
        rng = self.rng
        draw = rng.random() * (self.COMMON_SHARE + self.ORIGINS_SHARE + self.RARE_SHARE)
        if draw < self.COMMON_SHARE:
            return rng.choices(self.common, cum_weights=self.common_weights)[0], "french"
        if draw < self.COMMON_SHARE + self.ORIGINS_SHARE:
            group = rng.choices(self.origin_groups, cum_weights=self.origin_weights)[0]
            names = self.origins[group]
            return rng.choices(names, cum_weights=self.origin_rank_weights[group])[0], group
        return self.rare(), "french"

    def rare(self):
        rng = self.rng
        root, ending = rng.choice(self.roots), rng.choice(self.endings)
        if rng.random() < 0.5:
            root += rng.choice(INFIXES)
        if root[-1] in "aeiouéy" and ending[0] in "aeiouéèy":
            ending = ending[1:] or ending
        name = root + ending
        if rng.random() < 0.06:
            name = f"{rng.choice(PARTICLES)} {name}"
        return name

    def first_names(self, sex, birth_year, origin):
        """One first name, or several (about 30 %), as typed on an identity card: « Marie Sophie »."""
        rng = self.rng
        cohort = "1960" if birth_year < 1976 else ("1976" if birth_year < 1991 else "1991")
        own = FIRST_NAME_ORIGIN.get(origin)
        pool = self.first[(sex, own)] if own and rng.random() < 0.75 else self.first[(sex, cohort)]
        names = [rng.choice(pool)]
        if rng.random() < 0.30:
            for _ in range(1 if rng.random() < 0.8 else 2):
                extra = rng.choice(pool if rng.random() < 0.6 else self.first[(sex, cohort)])
                if extra not in names:
                    names.append(extra)
        return " ".join(names)


def nir(rng, sex, birth_date, birthplace, order):
    """A valid NIR: sex, year and month of birth, place of birth (5 characters), order, key (97 - n % 97)."""
    body = f"{'1' if sex == 'M' else '2'}{birth_date.year % 100:02d}{birth_date.month:02d}{birthplace}{order:03d}"
    return f"{body}{97 - int(body) % 97:02d}"


def birthplace(rng, origin, essonne_communes):
    """Where a person was born, as the NIR writes it: a commune code, 97x for overseas, 99 + country."""
    countries = COUNTRIES.get(origin)
    if countries and rng.random() < 0.55:
        return rng.choice(countries)
    draw = rng.random()
    if draw < 0.45:
        return rng.choice(essonne_communes)
    if draw < 0.93:
        departement = rng.choices(list(BIRTH_DEPARTEMENTS), weights=list(BIRTH_DEPARTEMENTS.values()))[0]
        return f"{departement}{rng.randint(1, 200):03d}"
    return f"97{rng.randint(1, 4)}{rng.randint(1, 34):02d}"
