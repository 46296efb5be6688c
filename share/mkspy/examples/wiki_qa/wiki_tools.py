"""A tiny offline encyclopedia for the wiki_qa example.

Every entry is invented (plausible but fictional), so a model cannot answer the
questions from memory and has to call the tool. No network access is used.
"""

import difflib

ENTRIES = {
    "Veloria": "Veloria is an island nation in the Tessaran Sea. Its capital and largest city is Port Amsel. Population about 410,000. Currency: the veloran crown. The national tree is the tessaran pine.",
    "Port Amsel": "Port Amsel is the capital of Veloria. It was founded in 1612 by the Dutch merchant Pieter Amsel as a trading post. Its best-known landmark is the Halvering Lighthouse.",
    "Halvering Lighthouse": "The Halvering Lighthouse is a 48-metre cast-iron lighthouse at the harbour mouth of Port Amsel, Veloria. Completed in 1874, it was designed by the engineer Margit Halvering.",
    "Margit Halvering": "Margit Halvering (1831-1902) was a Norwegian-born civil engineer. Her best-known works are the Halvering Lighthouse in Port Amsel and the Brenna Viaduct in Norway.",
    "Brenna Viaduct": "The Brenna Viaduct is a stone railway viaduct over the Brenna river in Norway, 312 metres long. It was designed by Margit Halvering and opened in 1889.",
    "Oskar Lindqvist": "Oskar Lindqvist (1867-1940) was a Swedish chemist at Uppsala who isolated the alkaloid solvatrine in 1903.",
    "Solvatrine": "Solvatrine is an alkaloid found in the bark of the tessaran pine. It was first isolated by Oskar Lindqvist in 1903 and was used as a mild local anaesthetic until the 1950s.",
    "Tessaran pine": "The tessaran pine is a conifer native to Veloria that grows up to 30 metres tall. It is the national tree of Veloria, and its bark contains solvatrine.",
    "Moss-tailed marten": "The moss-tailed marten is a small mammal of Veloria's forests weighing about 1.2 kg. It feeds mainly on the seeds of the tessaran pine.",
    "Kestrel-7": "Kestrel-7 was a weather satellite of the European Meteorological Consortium, launched from Kourou in 1998 and retired in 2011.",
    "Aurelia Fenwick": "Aurelia Fenwick (born 1952 in Margate) is a British novelist. Her third novel, The Glass Orchard (1987), won the Marlowe Prize.",
    "The Glass Orchard": "The Glass Orchard is a 1987 novel by Aurelia Fenwick about a family of Kent fruit growers during the Second World War. It won the Marlowe Prize in 1988.",
    "Marlowe Prize": "The Marlowe Prize is a British literary award founded in 1961 in Canterbury. It is given each year for a novel and carries prize money of 20,000 pounds.",
    "Lake Ombrena": "Lake Ombrena is a glacial lake in Val Seriola, northern Italy, with an area of 14 square kilometres and a maximum depth of 212 metres. The town of Castelmora lies on its eastern shore.",
    "Castelmora": "Castelmora is a town of about 6,300 people on the eastern shore of Lake Ombrena, Italy. It is known for the Festa delle Lanterne, a lantern festival held every August.",
    "Quillon": "Quillon is a statically typed programming language created by Dana Okoro at Halden University in 2009. Since 2017 its compiler can also target WebAssembly.",
    "Dana Okoro": "Dana Okoro (born 1978) is a Nigerian-Canadian computer scientist and professor at Halden University, best known as the creator of the Quillon programming language.",
    "Halden University": "Halden University is a research university in Halifax, Nova Scotia, founded in 1923. Its mascot is the grey seal.",
    "Sundvik Orchestra": "The Sundvik Orchestra is a symphony orchestra founded in 1951 in Gothenburg, Sweden. Its principal conductor since 2019 is Ilse Marqvardt.",
    "Ilse Marqvardt": "Ilse Marqvardt (born 1974 in Aarhus, Denmark) is a Danish conductor, principal conductor of the Sundvik Orchestra since 2019.",
}

_BY_KEY = {title.casefold(): text for title, text in ENTRIES.items()}


def lookup(title: str) -> str:
    """Look up a short encyclopedia entry by title.

    Matching ignores case and surrounding whitespace. When no entry has that
    exact title, the reply says so and lists the closest titles to try next.
    """
    key = title.strip().casefold()
    if key in _BY_KEY:
        return _BY_KEY[key]
    close = difflib.get_close_matches(key, list(_BY_KEY), n=3, cutoff=0.5)
    titles = [t for t in ENTRIES if t.casefold() in close]
    if titles:
        return f"No entry titled {title!r}. Closest titles: " + ", ".join(titles) + "."
    return f"No entry titled {title!r}. Available titles: " + ", ".join(sorted(ENTRIES)) + "."
