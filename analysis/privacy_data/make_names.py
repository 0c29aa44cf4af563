"""Rebuild the name lists in this folder (a development tool, not imported by consult).

    pip download faker --no-deps -d /tmp/fk && unzip -q /tmp/fk/faker-*.whl -d /tmp/fk/x
    python analysis/privacy_data/make_names.py /tmp/fk/x ../shared/ud-dutch

First names and surnames come from the person providers of Faker (MIT licence,
Copyright (c) 2012 Daniele Faraglia; see LICENSE-faker.txt) for the locales below,
Cyrillic names transliterated (Ukrainian national system, simplified); plus
names added by hand (EXTRA_*: Moroccan, Surinamese, Eritrean/Tigrinya, Somali,
Syrian, Afghan names Faker lacks), written from general knowledge.

A name that is also an ordinary Dutch word (it occurs in lower case, not as a proper
noun, in the UD Dutch treebanks, CC BY-SA 4.0 -- only that flag is kept, no text) is
marked with a tab and ``~``: :mod:`analysis.privacy` only takes it as a name with
context (a surname after it, a title before it).
"""
from __future__ import annotations

import importlib
import sys
import unicodedata
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIRST_LOCALES = ["nl_NL", "nl_BE", "tr_TR", "fr_DZ", "pl_PL", "uk_UA", "ru_RU", "en_GB", "de_DE",
                 "fr_FR", "es_ES", "pt_BR", "it_IT", "en_IN", "id_ID", "sw", "az_AZ", "en_NG"]
LAST_LOCALES = ["nl_NL", "nl_BE", "tr_TR", "fr_DZ", "pl_PL", "uk_UA", "ru_RU", "de_DE", "en_GB",
                "id_ID", "en_IN", "az_AZ", "it_IT", "es_ES", "pt_BR"]

EXTRA_FIRST = """
Mohamed Mohammed Mohammad Muhammad Mohamet Youssef Yousef Youssra Khadija Fatima Fatma Naima Said Saïd
Hamid Rachid Rachida Mustafa Moustafa Abdelkader Abdellah Abdelhak Abdeslam Driss Hicham Ilham Soufiane
Bilal Zakaria Imane Iman Latifa Malika Samira Hanan Asmae Asma Hafsa Zohra Touria Houria Nadia Najat Nora
Karim Khalid Khaled Mimoun Mohand Abdel Aziz Ayoub Anas Hamza Ilias Ilyas Yassine Yasin Noureddine
Nourdin Jamal Jamila Hakim Omar Othman Redouan Redouane Younes Yunus Zineb Siham Salma Loubna Meryem
Mariam Maryam Houda Hajar Hind Ikram Khalida Souad Wafae Zahra Aicha Aïcha Habiba Hasna Ouafae Nezha
Ramesh Sunita Anand Sharmila Rajesh Radjesh Kishan Soeniel Sandhya Shanti Devika Ashwin Chandrika Rishi
Vikash Anjali Roshni Sarita Kavita Ravi Mahesh Soeresh Dinesh Prem Priya Asha Indra Soenita Radj
Rinaldo Romeo Ruben Errol Glenn Marlon Ricardo Sharon Wendeline Sylvana Rosita Marcel Ronald Humphrey
Orlando Rudi Lucien Soekarni Sarmi Tumirah Wagiman Djoko Tarmidi Soepardi Sitie Karijo Soewarno
Yonas Yohannes Tesfay Tesfaye Tesfamariam Haile Hagos Berhane Berhe Kidane Mebrahtu Mehari Merhawi
Ghebre Gebremedhin Gebremariam Filmon Dawit Senait Saba Selam Semhar Luwam Letekidan Abrehet Aster Mulu
Mihret Rahwa Feven Yordanos Nahom Robel Biniam Efrem Amanuel Tekle Tewelde Weldu Woldemichael Zerai
Zekarias Yemane Winta Hiwet Tsega Tsehaye Habtom Kibrom Negassi Goitom Teklehaimanot Araya Asmerom
Ghirmay Okbay Habte Teklu Ermias Segen Elsa Meron Hanna Ruta Yodit Yafet Samrawit Selamawit Abeba
Ahmad Ahmed Ali Hassan Hussein Hussain Abdullah Abdallah Ibrahim Ismail Yasmin Yasmina Amira Rania Rasha
Lina Nour Noor Layla Leila Omid Farid Farida Shirin Parwin Zainab Zeynab Sadia Hamida Fawad Wahid Abdi
Abdirahman Hodan Faisa Ayaan Ayan Hibo Sahra Osman Shukri Hawa Amina Aminata Mariama Fatoumata
Olena Oksana Iryna Tetiana Nataliia Natalia Yulia Yuliia Svitlana Olha Kateryna Anastasiia Viktoriia
Mykola Oleksandr Oleksii Andrii Dmytro Serhii Volodymyr Vasyl Yurii Taras Bohdan Ivan Petro Ihor Vitalii
Maksym Artem Denys Roman Mariia Sofiia Daria Halyna Liudmyla Larysa Valentyna Nadiia Vira Lyubov
Zoë Noah Liam Luuk Sem Milan Finn Levi Mees Daan Jayden Olivia Yara Saar Nova Tess Fenna Mila Evi
Jesse Thijs Ruben Stijn Sven Bram Niek Jens Gijs Joep Tygo Siem Hidde Job Ties Teun Jurre Pepijn
Lieke Fleur Sanne Iris Roos Noa Julia Sophie Femke Jasmijn Isa Lotte Floor Esmee Ilse Marit Maud
Aad Aafke Alie Bep Corrie Dirkje Gerrie Greet Hennie Jannie Joke Truus Ria Sjaak Cees Kees Joop Henk
Piet Klaas Wim Gerrit Harm Hein Freek Ineke Tineke Marijke Hanneke Janneke Bregje Annemarie Jolanda
Ayşe Fatma Emine Hatice Zeynep Elif Meryem Serkan Sevda Mehmet Mustafa Ahmet Hüseyin Hasan İbrahim
Murat Ömer Kemal Halil Süleyman Recep Burak Emre Gökhan Selin Derya Gülsen Sibel Aysel Nurcan Filiz
Hülya Songül Esra Büşra Merve Kübra Tuba Özlem Ebru Serpil Dilek Yasemin Şükrü Cem Deniz Erkan Volkan
Tolga Orhan Ercan Cengiz Kadir Metin Necati Mevlüt Ramazan Bayram Salih Fadime Havva Şerife Nermin
Sjoukje Gerdien Robbert Frits Sietske Wietske Hiske Geertje Aaltje Hendrikje Trijntje Grietje Anneke
Annelies Annemiek Anneloes Marjolein Marloes Mariska Petra Ellen Wilma Henny Riet Toos Tonnie Tiny
Miep Dini Dinie Gonnie Gerdie Hetty Jenny Ina Willy Willeke Wilco Wilbert Gerben Sjoerd Sietse Wiebe
Jelle Jelmer Hylke Hessel Durk Douwe Tjeerd Fokke Lammert Roelof Harmen Jannes Geert Egbert Evert
Gijsbert Teunis Hendrikus Wouter Rutger Reinier Mathijs Bastiaan Sebastiaan Marnix Olaf Ferdinand
Leendert Cornelis Jacobus Johannes Petrus Theo Ton Toon Huub Jos Lidwien Mieke Nel Corry Dicky
Bertha Aleida Hillegonda Wilhelmina Geertruida Jacoba Pieternel Lisanne Esmée Gert-Jan Jan-Willem
Kwame Kofi Kwaku Ama Akosua Abena Yaw Kwabena Efua Adjoa Chidi Ngozi Emeka Oluwaseun
""".split()

#: Common Dutch first names of every generation (born 1920-2020) that Faker lacks, full
#: forms and the short forms people go by, written from general knowledge.
EXTRA_FIRST_DUTCH = """
Aagje Aaltje Adrie Adrianus Adriana Agnes Albertus Alida Aline Anja Anke Anneke Annemieke Annette
Annie Anouk Antoinette Antje Arend Arie Arjan Arjen Arnold Arnoud Astrid Ada Bart Bea Beppie
Berend Bernadette Bert Berthe Bertus Betsie Bettie Bianca Bob Boukje Brigitte Carla Carolien
Caroline Cas Charlotte Chantal Christiaan Cindy Claartje Coby Coen Conny Cor Corina Corné Daniëlle
Dennis Desirée Dewi Diederik Dieuwke Dik Dina Dirk Dolf Dorien Dorine Dorothea Dries Eddy Edwin
Eefje Eelco Egbert Eline Elly Els Elsbeth Emma Erik Erna Ester Esther Eva Evelien Ewout Femmy Ferry
Fien Fleur Floris Francien Frank Frans Freddy Frederik Frida Gea Geert Gerard Gerben Gerda Gerdien
Gerjan Gerlinde Gert Gertjan Gerwin Gido Gijs Gonny Greetje Gretha Guus Hanna Hannie Hans Harold
Harry Hendrik Hendrika Henri Herman Hester Hilde Hilda Hilly Ida Ingrid Ingeborg Inge Inez Irene
Jaap Jacco Jacqueline Jan Janneke Jannie Jantine Jantje Jasper Jeanet Jeanette Jeroen Jet Jetske
Jikke Joanne Joep Johan Johanna Jolien Jonas Joost Joris Josje Jozef Judith Juul Karin Karel
Kim Klaasje Koen Koos Kim Lammie Laura Leo Leon Lex Liesbeth Lisa Lisette Loes Lotte Lucas Luuk
Maaike Maarten Machteld Margreet Margriet Maria Marian Marianne Marieke Mariëlle Marijn Marjan
Marjolein Mark Marleen Marlies Marloes Marten Martijn Martin Martine Mathilde Matthijs Meike Mieke
Mien Mirjam Monique Nanda Nathalie Nicole Nienke Niels Nina Noortje Olga Paul Pauline Peter Petra
Pieter Pim Rachel Renate René Rens Rianne Richard Rik Rinus Rob Robert Roel Roelie Rolf Ronald
Roy Ruud Saskia Sander Sandra Sanne Siebe Simone Sjaan Sjef Sjoerd Sofie Stefan Stephan Suzanne
Sybren Teun Thea Theo Thom Tijs Tim Tineke Tjitske Tom Tonny Trees Truus Ursula Vera Victor
Wendy Wessel Wietse Wijnand Willem Willemijn Willemien Wilma Wim Wouter Yvonne Yvette Zwaan
Ans Ank Anky Bets Dien Fem Gre Lien Lies Riek Rie Wiep Jop Ko Lot Dinand Gerke Hieke Jeltje
""".split()

EXTRA_LAST = """
El Amrani Bouzid Benali Ben Ali Aziz Bouali Boukhari Chaara Chaoui Daoudi El Idrissi Idrissi Haddou
Hamdaoui Kaddouri Khattabi Lahlou Mansouri Moussaoui Ouali Rahmouni Tahiri Yahyaoui Zaoui Ziani Azzouzi
Benhaddou Bakkali Bouchtaoui Bouyahiaoui Chakir Errahmani Ezzaki Amrani Aboutaleb Marcouch Aarab Akkouh
Yilmaz Yıldız Kaya Demir Şahin Çelik Öztürk Aydın Arslan Doğan Kılıç Aslan Çetin Kara Koç Kurt Özdemir
Polat Erdoğan Bulut Yüksel Güneş Özkan Aksoy Korkmaz Tekin Karaca Ateş Toprak Keskin Kocabaş
Tesfamariam Gebremariam Gebreyesus Habte Mehari Berhane Tesfay Kidane Weldemichael Woldemariam Haile
Ghebreyesus Tekle Araya Asmerom Ghirmay Okbay Yohannes Mebrahtu Zerai Tewelde Negassi Hagos Berhe
Ramdin Ramlal Ramsaran Jagesar Kalloe Sewnath Mahabier Biharie Doerga Ramkhelawan Soekhai Bhaggoe
Baldewsingh Girjasing Kartosen Karsodikromo Sarmo Pinas Vreden Nelom Emanuelson Tjin Liauw Fung
Sabajo Zeefuik Wijngaarde Brunings Kromodimedjo Ramautar Sardjoe Sital Lachmon Adhin Bouterse
Kovalenko Shevchenko Bondarenko Tkachenko Kravchenko Melnyk Boiko Koval Oliinyk Lysenko Moroz
Petrenko Marchenko Savchenko Rudenko Pavlenko Kuzmenko Klymenko Ponomarenko Hrytsenko Levchenko
Mohamed Abdi Ahmed Hassan Hussein Osman Ali Nur Farah Warsame Yusuf Jama Egal Haidari Ahmadi Rahimi
Karimi Hosseini Mohammadi Rezaei Noori Safi Stanekzai Popal Nazari Alkhatib Al-Hassan Haddad Khalil
Jansen Janssen Visser Smit Meijer Mulder De Vries Van den Berg Van Dijk Bakker Janssen De Boer Dekker
Peters Hendriks Van Leeuwen Dijkstra Brouwer De Wit Willems Vermeulen Van der Meer Van der Linden
Kok Jacobs De Haan Vermeer Van den Heuvel Van der Veen Van den Broek De Bruijn De Bruin Van der Heijden
Schouten Van Beek Willemsen Van Vliet Van de Ven Hoekstra Maas Verhoeven Koster Van Dam Prins Blom
Huisman Peeters De Jong De Groot Van der Berg Grijsen König Sonsbeeck Pranger Wolters Bosch Kuipers
""".split()

#: Common Dutch surnames Faker lacks, many from the east of the country (Salland, Twente,
#: Achterhoek: -ink, -huis, -kamp, -hof) and Friesland (-stra, -sma, -ma), written from general
#: knowledge.
EXTRA_LAST_DUTCH = """
Arends Arentsen Assink Bakhuis Bakhuizen Beekman Beltman Berendsen Bergman Beumer Bijl Blaauw
Bloemendaal Blokland Bodde Boerman Boersma Bokhorst Bolhuis Bolink Bomhof Bonnema Bosman Bosscher
Bouma Bouwhuis Brands Brandsma Breukink Brink Brinkerink Brinkhorst Brinkhuis Brinkman Brouwers
Bruggink Brugman Bruins Buitenhuis Dam Damen Dekkers Derksen Dijkema Dijkhuis Dijkhuizen Dijkman
Dinkelman Dirksen Doornbos Dorgelo Drenth Elzinga Eshuis Evers Everts Feenstra Flapper Geerdink
Gerritsen Goedhart Gort Gosselink Graafland Grobbink Groenewoud Grootenhuis Groothuis Haagsma Hagens
Hakkert Harmsen Hartman Hartog Haverkamp Haverkate Hazelhorst Heijnen Hekman Helmink Hemmink
Hendriks Hendriksen Herder Heuvelink Hiemstra Hilbrink Hoekman Hoekstra Hofman Hofstede Hofstra
Hoitink Holtkamp Hoogeveen Hoogland Hooijer Huijsman Huisman Huizinga Hulsbos Hulshof Huttinga Jager
Jonker Jonkman Kalsbeek Kamminga Kamphuis Kampman Keizer Klaassen Kleinhuis Kleinjan Kloosterboer
Kloosterman Klumper Knol Koning Koopman Kremer Kroeze Kruithof Kuiper Kuipers Lammers Lansink
Leferink Lemmens Leusink Lindeboom Lohuis Louwerse Lubbers Lubbink Lucassen Lueks Meijerink Mekking
Mensink Meulman Middelkamp Mol Morsink Mulderij Mulderink Nieboer Nijboer Nijenhuis Nijhof Nijhuis
Nijkamp Nijland Nijmeijer Noordhuis Nuiver Oldenburger Oldenhof Oldenkamp Oldenzeel Olthof Olthuis
Oostendorp Oosterhuis Oosterveld Oosting Ophuis Otten Ottens Overbeek Overkamp Paalman Pasman Pater
Pelgrim Pelleboer Pieters Plaggenborg Poelman Pol Poortman Post Postma Pots Pouwels Prinsen Ramaker
Ravenhorst Reefman Reinink Rensink Ribbers Rietman Rijkeboer Rikkert Roebers Roelofs Roelofsen
Roerink Rouwenhorst Rozendaal Ruiter Rutgers Salomons Scheffer Scheperman Schepers Schipper
Schoemaker Schokker Scholte Scholten Schutte Schuurman Siebelink Siemerink Sikkema Slagter Slijkhuis
Sloot Slotman Smeenk Smeets Smid Snijders Spekschoor Spijkerman Spoelstra Steenbergen Steenhuis
Stegeman Stegink Stevens Stoffers Stokvis Strijker Stroeve Swart Tempelman Tenhagen Terpstra
Teunissen Tiemens Tijhuis Tijssen Timmer Timmerman Toonen Tromp Tuin Tuinman Uenk Uiterwijk Vaanholt
Valk Veenhuis Veenstra Velderman Veldhuis Velthuis Veltkamp Venema Verbeek Verhoef Verweij Vink
Visscher Vlieger Vlietstra Voortman Vos Vrieling Vrielink Waanders Wagenvoort Walhof Wals Wansink
Weening Weijers Wesselink Wessels Westerhof Westerveld Wiegman Wiersma Wiggers Wijnands Wijnberg
Wijnholds Wilbrink Wind Winkelman Wissink Woertink Wolbers Wolterink Wolters Wonink Wormgoor Wubben
Zandbergen Zijlstra Zonneveld Zuidema Zuurbier Zwart Zwienenberg Zwiers
""".split()

#: Common Turkish surnames Faker's tr_TR list lacks, written from general knowledge.
EXTRA_LAST_TURKISH = """
Kaplan Yıldırım Aydın Özdemir Yıldız Yılmaz Kaya Demir Çelik Arslan Doğan Kılıç Aslan Çetin Kara Koç
Kurt Öztürk Polat Güler Akın Ünal Tekin Erdem Yavuz Bozkurt Güneş Uçar Karakaya Coşkun Kalkan Özer
Acar Sarı Duman Ekinci Çakır Bulut Kartal Avcı Keskin Taş Aktaş Işık Şimşek Gök Altun Kocabaş Ateş
Toprak Korkmaz Aksoy Yüksel Özkan Karaca Sönmez Erdoğan Özcan Uysal Aydemir Balcı Bayram Cengiz Eren
Gündoğdu Kahraman Kaymak Oral Özbek Sevim Tan Tunç Turan Akyol Akgül Alkan Baş Bilgin Can Dağ
Demirci Durmaz Ercan Genç Güven Karataş Kaçar Kurtoğlu Metin Oğuz Özgür Sezer Şen Tosun Turgut
Ulusoy Yalçın Yaman Yiğit Zengin
""".split()

TRANS = dict(zip("абвгґдеєжзиіїйклмнопрстуфхцчшщьюяыэёъ",
                 ["a", "b", "v", "h", "g", "d", "e", "ie", "zh", "z", "y", "i", "i", "i", "k", "l", "m",
                  "n", "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "iu", "ia",
                  "y", "e", "e", ""]))


def translit(name: str) -> str:
    out = "".join(TRANS.get(ch.lower(), ch) if ch.lower() in TRANS else ch for ch in name)
    return out[:1].upper() + out[1:]


def latin(name: str) -> bool:
    return all(unicodedata.name(ch, "").startswith("LATIN") or ch in "-' " for ch in name)


def provider_lists(root: Path, locale: str, attrs: tuple[str, ...]) -> list[str]:
    sys.path.insert(0, str(root))
    mod = importlib.import_module(f"faker.providers.person.{locale}")
    out: list[str] = []
    for attr in attrs:
        values = getattr(mod.Provider, attr, None)
        if values:
            out.extend(values)
    return out


def dutch_words(ud: Path) -> Counter:
    words: Counter = Counter()
    for path in ud.glob("*.conllu"):
        for line in path.read_text(encoding="utf-8").splitlines():
            cols = line.split("\t")
            if len(cols) > 4 and cols[0].isdigit() and cols[3] != "PROPN" and cols[1].islower():
                words[cols[1]] += 1
    return words


def lexicon_word(low: str) -> bool:
    """Also in spaCy's Dutch lemma tables or frequent in Dutch (wordfreq): how the
    EXTRA_LAST_DUTCH names that are also words ("Brink", "Jager") were flagged."""
    sys.path.insert(0, str(HERE.parent.parent))
    from analysis.privacy import _lexicon
    from wordfreq import zipf_frequency
    return low in _lexicon() or zipf_frequency(low, "nl") >= 4.0


def main(faker_root: str, ud_dir: str) -> None:
    root, words = Path(faker_root), dutch_words(Path(ud_dir))
    firsts: set[str] = set(EXTRA_FIRST + EXTRA_FIRST_DUTCH)
    for loc in FIRST_LOCALES:
        for name in provider_lists(root, loc, ("first_names_male", "first_names_female", "first_names")):
            name = translit(name) if loc in ("uk_UA", "ru_RU") else name
            if latin(name) and " " not in name and len(name) >= 2:
                firsts.add(name)
    lasts: set[str] = {n for n in EXTRA_LAST + EXTRA_LAST_DUTCH + EXTRA_LAST_TURKISH
                         if n[0].isupper()}
    from_faker: set[str] = set()
    # EXTRA_LAST is a whitespace list: keep multi-part ones from the source line pairs too
    for loc in LAST_LOCALES:
        attrs = ("last_names", "male_last_names", "unisex_last_names", "last_names_male", "last_names_female")
        for name in provider_lists(root, loc, attrs):
            name = translit(name) if loc in ("uk_UA", "ru_RU") else name
            if latin(name) and len(name) >= 3:
                lasts.add(name)
                from_faker.add(name)
    # names only EXTRA_LAST_DUTCH brings that are also words need context too
    dutch_extra = set(EXTRA_LAST_DUTCH + EXTRA_LAST_TURKISH) - set(EXTRA_LAST) - from_faker
    for fname, names in (("first_names.txt", firsts), ("surnames.txt", lasts)):
        lines = []
        for name in sorted(names):
            low = name.lower()
            flag = "\t~" if words[low] >= 1 or len(name) <= 2 or (
                fname == "surnames.txt" and name in dutch_extra and lexicon_word(low)) else ""
            lines.append(name + flag)
        (HERE / fname).write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(fname, len(lines), sum(1 for l in lines if l.endswith("~")))


if __name__ == "__main__":
    main(*sys.argv[1:3])
