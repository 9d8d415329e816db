"""A small demo vocabulary for `seed_demo`: three levels, synonyms, misspellings, German labels."""

DEMO_URI = "https://vocab.example.org/demo/"

DEMO_TURTLE = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix : <https://vocab.example.org/demo/> .

: a skos:ConceptScheme ; skos:prefLabel "Demo subjects"@en ;
    dct:description "What the pictures show; a starting point for librarians."@en .

:places a skos:Concept ; skos:inScheme : ; skos:topConceptOf : ; skos:prefLabel "Places"@en, "Orte"@de ;
    skos:notation "1" .
:coast a skos:Concept ; skos:inScheme : ; skos:broader :places ; skos:prefLabel "Coast"@en, "Küste"@de ;
    skos:altLabel "seaside"@en, "shore"@en ; skos:notation "1.1" .
:harbours a skos:Concept ; skos:inScheme : ; skos:broader :coast ; skos:prefLabel "Harbours"@en, "Häfen"@de ;
    skos:altLabel "harbour"@en, "port"@en, "marina"@en ; skos:hiddenLabel "harbor"@en ; skos:notation "1.1.1" ;
    skos:scopeNote "Working ports and marinas; for open beaches use Beaches."@en ; skos:related :boats .
:beaches a skos:Concept ; skos:inScheme : ; skos:broader :coast ; skos:prefLabel "Beaches"@en, "Strände"@de ;
    skos:altLabel "beach"@en ; skos:notation "1.1.2" .
:cities a skos:Concept ; skos:inScheme : ; skos:broader :places ; skos:prefLabel "Cities"@en, "Städte"@de ;
    skos:altLabel "urban"@en ; skos:notation "1.2" .
:people a skos:Concept ; skos:inScheme : ; skos:topConceptOf : ; skos:prefLabel "People"@en, "Menschen"@de ;
    skos:notation "2" .
:teams a skos:Concept ; skos:inScheme : ; skos:broader :people ; skos:prefLabel "Teams"@en ;
    skos:altLabel "colleagues"@en, "staff"@en ; skos:notation "2.1" .
:events a skos:Concept ; skos:inScheme : ; skos:broader :people ; skos:prefLabel "Events"@en ;
    skos:altLabel "offsite"@en, "conference"@en ; skos:notation "2.2" .
:products a skos:Concept ; skos:inScheme : ; skos:topConceptOf : ; skos:prefLabel "Products"@en, "Produkte"@de ;
    skos:notation "3" .
:footwear a skos:Concept ; skos:inScheme : ; skos:broader :products ; skos:prefLabel "Footwear"@en, "Schuhe"@de ;
    skos:altLabel "shoes"@en, "trainers"@en, "sneakers"@en ; skos:hiddenLabel "shoos"@en ; skos:notation "3.1" .
:logos a skos:Concept ; skos:inScheme : ; skos:broader :products ; skos:prefLabel "Logos"@en ;
    skos:altLabel "brand mark"@en ; skos:notation "3.2" .
:boats a skos:Concept ; skos:inScheme : ; skos:topConceptOf : ; skos:prefLabel "Boats"@en, "Boote"@de ;
    skos:altLabel "ships"@en, "vessels"@en ; skos:notation "4" ; skos:related :harbours ;
    skos:exactMatch <http://www.wikidata.org/entity/Q35872> .
"""

# Which demo asset (by title) carries which terms (by URI local name).
DEMO_TAGS = {
    "Sunrise over the harbour": ["harbours", "boats"],
    "Team at the spring offsite": ["teams", "events"],
    "Product shot: trail shoe": ["footwear"],
    "Beach banner draft": ["beaches"],
    "Logo on dark": ["logos"],
}
