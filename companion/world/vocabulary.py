"""Subtopic vocabularies with synonyms and polysemy, the words item titles and descriptions are made of.

Each of the twenty topics in :data:`~companion.world.topics.TOPICS` has four subtopics, and each subtopic
has eight *concepts*. A concept is a tuple of one to three synonymous surface forms, e.g.
``("puppy", "pup")`` or ``("film", "movie", "flick")``. Two items about the same subtopic may therefore
share no word at all, only synonyms: a bag-of-words model (TF-IDF) sees two unrelated documents, while
a pretrained sentence encoder sees two neighbours. On top of that, some words are deliberately
*polysemous*: "pitch" is a football field and a musical note, "python" is a snake and a programming
language, "stock" is soup and shares. :data:`POLYSEMOUS` lists them, computed from :data:`SUBTOPICS`.

The rules (checked by :func:`_validate` at import time):

* exactly four subtopics per topic, grouped by topic in ``TOPICS`` order;
* exactly eight concepts per subtopic, each with one to three words of lowercase ASCII letters,
  and at least six of the eight with two or more synonymous forms;
* no word twice within a subtopic, and no word shared by two subtopics of the same topic (subtopics of
  one topic stay distinguishable); across topics a word repeats only as deliberate polysemy;
* :data:`FILLER_WORDS` (topic-free title filler) share no word with any subtopic.

Taught in chapter 00 (the world) and chapter 05 (text features).

>>> len(SUBTOPICS), SUBTOPICS[0].topic, SUBTOPICS[0].concepts[0]
(80, 'cooking', ('bread', 'loaf', 'sourdough'))
>>> POLYSEMOUS["python"]
('pets', 'tech')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .topics import TOPICS

__all__ = ["SUBTOPICS", "Subtopic", "POLYSEMOUS", "FILLER_WORDS"]

SUBTOPICS_PER_TOPIC = 4
CONCEPTS_PER_SUBTOPIC = 8
MIN_SYNONYM_CONCEPTS = 6
MAX_FORMS = 3
_WORD = re.compile(r"^[a-z]+$")


@dataclass(frozen=True)
class Subtopic:
    """One subtopic: a name and its concepts; each concept is a tuple of synonymous words."""

    topic: str
    name: str
    concepts: tuple[tuple[str, ...], ...]

    @property
    def words(self) -> tuple[str, ...]:
        """Every surface form of every concept, in order."""
        return tuple(word for concept in self.concepts for word in concept)


def _s(topic: str, name: str, concepts: str) -> Subtopic:
    """``"bread loaf | oven"`` -> concepts ``(("bread", "loaf"), ("oven",))``."""
    return Subtopic(topic, name, tuple(tuple(c.split()) for c in concepts.split("|")))


# fmt: off
SUBTOPICS: tuple[Subtopic, ...] = (
    # cooking
    _s("cooking", "baking", "bread loaf sourdough | dough batter | cake sponge cheesecake | pastry croissant"
       " | cookie biscuit | muffin cupcake | oven | flour"),
    _s("cooking", "street food", "burger cheeseburger | fries chip | taco burrito | hotdog sausage"
       " | wing drumstick | kebab shawarma gyro | stall foodtruck | spicy fiery"),
    _s("cooking", "comfort food", "soup broth stock | stew casserole hotpot | roast | ramen noodle"
       " | curry masala | lasagna lasagne | gravy sauce | mash puree"),
    _s("cooking", "breakfast", "pancake crepe | egg omelette omelet | coffee espresso latte | cup mug"
       " | jam jelly marmalade | cereal granola muesli | smoothie milkshake | brunch breakfast"),
    # fitness
    _s("fitness", "strength training", "barbell bar | dumbbell kettlebell | press benchpress"
       " | lift weightlifting | rep reps repetition | set | bulk gains mass | coach trainer instructor"),
    _s("fitness", "cardio", "run jog sprint | track | marathon halfmarathon | stamina endurance"
       " | spin cycling | pulse heartrate | treadmill elliptical | jumprope skipping"),
    _s("fitness", "boxing", "boxer fighter | punch jab | kickboxing mma ufc | gloves mitts | ring octagon"
       " | sparring spar | karate judo taekwondo | knockout ko"),
    _s("fitness", "yoga", "yoga pilates | plank | mat yogamat | pose asana | flexibility mobility"
       " | meditation mindfulness | core abs | balance stability"),
    # travel
    _s("travel", "flights", "flight plane airplane | airport | terminal gate | runway tarmac"
       " | luggage baggage suitcase | passport visa | layover stopover | airline carrier"),
    _s("travel", "beach holidays", "beach shore coast | island isle | resort villa | ocean sea | wave surf"
       " | cruise voyage | port harbor harbour | snorkel scuba"),
    _s("travel", "backpacking", "backpack rucksack | hostel motel | hike trek trail | gear equipment"
       " | coach bus | train railway | camper campervan | tent campsite"),
    _s("travel", "city breaks", "city town | museum gallery | landmark monument | tour sightseeing"
       " | bridge viaduct | capital metropolis | break getaway vacation | market bazaar"),
    # gaming
    _s("gaming", "consoles", "console playstation xbox | controller gamepad joystick | cartridge rom"
       " | retro oldschool | arcade pinball | handheld portable | pixel sprite | emulator emulation"),
    _s("gaming", "esports", "tournament championship | squad roster | ranked leaderboard | clutch"
       " | shooter fps | aim headshot | lobby matchmaking | kill killstreak frag"),
    _s("gaming", "streaming", "stream livestream broadcast | streamer creator | subscriber follower"
       " | donation tip | clip highlight | webcam facecam | emote emoji | viewer audience"),
    _s("gaming", "rpg", "quest mission | dungeon lair | level stage map | boss miniboss"
       " | loot treasure reward | sword blade | potion elixir | skill ability"),
    # music
    _s("music", "guitar", "guitar | riff lick | amp amplifier | pick plectrum | fret fretboard | solo shred"
       " | tab tablature | rock metal punk"),
    _s("music", "drums", "drum percussion | kick kickdrum bassdrum | snare snaredrum | drumstick stick | kit drumkit"
       " | beat rhythm groove | tempo bpm | cymbal"),
    _s("music", "songwriting", "chorus refrain hook | verse stanza | bridge | key | scale mode | note pitch"
       " | chord harmony | melody tune"),
    _s("music", "live music", "concert gig | festival fest | record vinyl lp | album ep mixtape"
       " | track song single | band group | jam jamsession | set setlist"),
    # comedy
    _s("comedy", "standup", "comedian comic standup | joke gag quip | punchline zinger | heckler heckle"
       " | mic microphone | roast burn | funny hilarious humorous | laugh chuckle giggle"),
    _s("comedy", "pranks", "prank hoax | prankster trickster | dare bet | scare fright spook"
       " | roommate flatmate | revenge payback | fake phony | ambush surprise"),
    _s("comedy", "sketches", "sketch skit | parody spoof satire | impression impersonation"
       " | costume disguise | improv improvisation | blooper outtake | cringe awkward embarrassing | sitcom"),
    _s("comedy", "office humor", "office workplace | boss supervisor | coworker colleague"
       " | meeting conference | email inbox | intern trainee | deadline | nap snooze"),
    # pets
    _s("pets", "dogs", "dog doggo pooch | puppy pup | bark woof | leash lead | collar harness | lab labrador"
       " | boxer bulldog | kennel crate"),
    _s("pets", "cats", "cat feline | kitten kitty | meow mew purr | litter litterbox | hairball furball"
       " | coat fur | tabby calico | catnip"),
    _s("pets", "small pets", "hamster gerbil | mouse rodent | rabbit bunny | turtle tortoise | shell carapace"
       " | python snake serpent | lizard gecko | terrarium vivarium enclosure"),
    _s("pets", "fish and birds", "fish goldfish | tank aquarium | parrot parakeet budgie | feather plume"
       " | beak bill | cage birdcage | guppy betta | coral reef"),
    # science
    _s("science", "space", "planet exoplanet | star sun | telescope observatory | rocket spacecraft"
       " | astronaut cosmonaut | moon lunar | comet asteroid meteor | galaxy nebula cosmos"),
    _s("science", "chemistry", "atom molecule | bond | mole | beaker flask | lab laboratory"
       " | compound substance chemical | explosion blast | crystal mineral"),
    _s("science", "biology", "cell | virus pathogen germ | bacteria microbe | dna gene genome | organ tissue"
       " | evolution adaptation | species organism | pupil iris"),
    _s("science", "physics and earth", "gravity gravitation | wave frequency | magnet magnetism"
       " | rock stone boulder | volcano lava magma | earthquake quake tremor"
       " | electricity voltage current | cloud fog mist"),
    # tech
    _s("tech", "phones", "phone smartphone cell | case cover | port usb connector | battery charger powerbank"
       " | screen display | camera lens | earbuds headphones | tablet ipad"),
    _s("tech", "computers", "laptop notebook | pc desktop computer | chip processor cpu | memory ram"
       " | drive ssd | board motherboard | mouse trackpad | key keyboard keycap"),
    _s("tech", "coding", "code programming | bug error defect | python | terminal shell"
       " | virus malware | developer programmer coder | cloud server | file folder"),
    _s("tech", "smart devices", "robot bot android | ai chatbot | drone quadcopter | sensor detector"
       " | vr headset | wifi router | gadget device | smarthome automation"),
    # fashion
    _s("fashion", "streetwear", "sneaker trainer kicks | hood hoodie | boot bootie | drop release"
       " | tee tshirt | joggers sweatpants | baggy oversized | resell resale"),
    _s("fashion", "formalwear", "suit tuxedo | tie necktie bowtie | blazer jacket | collar lapel"
       " | dress gown | heel stiletto | bow ribbon | coat overcoat"),
    _s("fashion", "runway", "runway catwalk | model supermodel | designer stylist | couture luxury"
       " | brand label | look outfit | trend fad | magazine editorial"),
    _s("fashion", "accessories", "bag handbag tote | clutch purse | ring band | necklace pendant"
       " | belt sash | sunglasses shades | hose tights stockings | scarf shawl"),
    # football
    _s("football", "matches", "match fixture | goal | shot strike kick | score scoreline result"
       " | draw tie | win victory | derby rivalry | comeback turnaround"),
    _s("football", "players", "striker forward attacker | keeper goalkeeper goalie | defender fullback"
       " | midfielder playmaker | captain skipper | manager gaffer | referee ref official | winger wingback"),
    _s("football", "clubs", "club team side | transfer signing | contract deal | stadium ground arena"
       " | league division | kit jersey | fans supporters | cup trophy"),
    _s("football", "tactics", "pitch field turf | tactic formation strategy | counter counterattack | ball football"
       " | penalty spotkick | pass assist | tackle challenge | freekick cornerkick"),
    # finance
    _s("finance", "investing", "stock share equity | bond treasury | market exchange | crash collapse"
       " | yield return dividend | fund etf | portfolio holdings | hedge"),
    _s("finance", "budgeting", "budget spending | savings reserve | frugal thrifty cheap"
       " | coupon voucher discount | goal target | bill invoice | cash banknote note | expense cost"),
    _s("finance", "banking", "bank lender | loan credit | mortgage homeloan | debt liability | interest apr"
       " | card creditcard | transfer payment wire | currency pound sterling"),
    _s("finance", "side hustles", "crypto cryptocurrency bitcoin | token coin | pyramid ponzi scam"
       " | income salary paycheck | hustle gig | rich wealthy millionaire | capital funds"
       " | startup venture"),
    # diy
    _s("diy", "woodworking", "wood timber lumber | plank board | saw jigsaw | sanding sandpaper"
       " | varnish stain | glue adhesive | nail tack | hammer mallet"),
    _s("diy", "renovation", "mortar cement concrete | primer undercoat | coat layer | plaster drywall"
       " | tile grout | foundation footing | floor flooring | level spiritlevel"),
    _s("diy", "repairs", "tap faucet | pipe plumbing | seal sealant caulk | leak drip | drill screwdriver"
       " | wrench spanner | bulb lightbulb | socket outlet"),
    _s("diy", "crafts", "model miniature replica | cast mold mould | ruler yardstick | hook hanger peg"
       " | resin epoxy | metal steel | origami papercraft | knit crochet"),
    # cars
    _s("cars", "engines", "engine motor | turbo turbocharger supercharger | exhaust muffler"
       " | horsepower hp | gear gearbox transmission | clutch | tune tuning | piston cylinder"),
    _s("cars", "racing", "track circuit racetrack | race motorsport | drift slide | lap laptime | tire tyre"
       " | pit pitstop | spoiler wing rearwing | brake braking"),
    _s("cars", "car reviews", "car automobile vehicle | sedan saloon | suv crossover | hatchback compact"
       " | convertible cabriolet roadster | hood bonnet | trunk boot | drive testdrive"),
    _s("cars", "restoration", "restoration restore rebuild | rust corrosion | wash carwash | wax shine"
       " | classic oldtimer | paintjob repaint | crash wreck | trailer tow"),
    # beauty
    _s("beauty", "makeup", "foundation base | lipstick gloss | lash eyelash | eyeliner liner | blush rouge"
       " | primer | compact powder | shimmer glitter"),
    _s("beauty", "skincare", "serum essence | moisturizer cream lotion | cleanser facewash | mask sheetmask"
       " | acne pimple breakout | sunscreen spf sunblock | scrub exfoliator peel | mole freckle"),
    _s("beauty", "hair", "haircut cut trim | curl curls curly | braid plait | dye color colour"
       " | shampoo conditioner | straightener flatiron | bangs fringe | blowout blowdry"),
    _s("beauty", "nails", "nail fingernail | polish lacquer enamel | manicure mani | pedicure pedi"
       " | file nailfile | gel acrylic | cuticle | salon spa"),
    # history
    _s("history", "ancient world", "pyramid tomb | temple shrine | tablet scroll | column pillar"
       " | sage philosopher | myth legend mythology | pharaoh | gladiator"),
    _s("history", "medieval", "castle fortress | knight warrior | king monarch ruler | crown throne"
       " | bow longbow | shield armor | siege assault | plague pestilence"),
    _s("history", "wars", "war conflict | battle combat | tank panzer | soldier troops infantry"
       " | general commander | mortar artillery cannon | trench bunker | invasion offensive"),
    _s("history", "revolutions", "revolution uprising revolt | record archive document | press printing"
       " | treaty pact accord | era century age | empire kingdom | manuscript codex | explorer navigator"),
    # gardening
    _s("gardening", "vegetables", "plot allotment patch | vegetable veggie | harvest crop yield | bed planter"
       " | potato spud | squash pumpkin | compost manure | shoot sprout seedling"),
    _s("gardening", "flowers", "flower bloom blossom | bulb tuber | tulip daffodil | bouquet arrangement"
       " | border flowerbed | bee pollinator | prune pruning | stem stalk"),
    _s("gardening", "trees and pests", "tree sapling | hedge hedgerow | bark mulch | trunk | bug insect pest"
       " | mole vole | slug snail | root"),
    _s("gardening", "water garden", "stream brook creek | pond waterfeature | bank embankment"
       " | hose hosepipe | sprinkler irrigation | lily waterlily | frog toad | fountain waterfall"),
    # movies
    _s("movies", "trailers and reviews", "trailer teaser preview | review critique | spoiler | twist reveal"
       " | plot storyline story | sequel prequel | franchise saga | critic reviewer"),
    _s("movies", "actors", "actor actress | star celebrity | cast ensemble | lead protagonist hero"
       " | villain antagonist | character role | oscar award | audition casting"),
    _s("movies", "filmmaking", "director filmmaker | shoot filming | set soundstage | shot take"
       " | cut edit editing | script screenplay | stunt stuntman | score soundtrack"),
    _s("movies", "genres", "cinema theater theatre | film movie flick | horror slasher | blockbuster smash"
       " | animation cartoon | documentary doc | thriller suspense | popcorn"),
    # dance
    _s("dance", "ballet", "ballerina dancer | spin pirouette turn | leap jump | pointe tiptoe | barre"
       " | bow curtsy | grace elegance | ballet classical"),
    _s("dance", "hip hop", "break breaking breakdance | moonwalk glide | freestyle improvised"
       " | battle faceoff | crew troupe | step move | wave | choreo choreography"),
    _s("dance", "ballroom", "salsa bachata | tango flamenco | waltz foxtrot | partner couple | ball gala prom"
       " | dip | rumba chacha | sequin sparkle"),
    _s("dance", "performance", "stage spotlight | tap tapdance | club nightclub | rehearsal rehearse"
       " | recital showcase | swing lindy jive | contemporary modern | disco boogie"),
    # language
    _s("language", "vocabulary", "vocabulary vocab lexicon | root etymology | card flashcard"
       " | idiom expression saying | slang jargon | dictionary glossary | meaning definition | word term"),
    _s("language", "grammar", "grammar syntax | tense conjugation | noun pronoun | sentence clause"
       " | case declension | punctuation comma | mistake blunder | adjective adverb"),
    _s("language", "speaking", "accent dialect | pronunciation enunciation | drill practice | fluent fluency"
       " | conversation dialogue chat | listening comprehension | pupil student learner | tutor teacher"),
    _s("language", "learning languages", "polish | mandarin chinese | character glyph | alphabet script"
       " | translation translator | course class lesson | exam test quiz | bilingual polyglot multilingual"),
)
# fmt: on

FILLER_WORDS: tuple[str, ...] = tuple(
    "omg honestly vlog pov wait insane day new part best first epic crazy finally tried trying watch "
    "must ultimate guide tips tutorial how why easy quick simple secret hack everyone nobody ever really "
    "actually literally viral today week top".split()
)


def _validate(subtopics: tuple[Subtopic, ...], filler_words: tuple[str, ...] = ()) -> None:
    """Raise ``ValueError`` naming the first subtopic that breaks a vocabulary rule (see module docstring)."""
    names = [t.name for t in TOPICS]
    expected = [name for name in names for _ in range(SUBTOPICS_PER_TOPIC)]
    got = [s.topic for s in subtopics]
    if got != expected:
        raise ValueError(f"subtopics must come {SUBTOPICS_PER_TOPIC} per topic in TOPICS order; "
                         f"got topics {got}")
    seen_names: set[tuple[str, str]] = set()
    topic_words: dict[str, dict[str, str]] = {name: {} for name in names}
    for s in subtopics:
        where = f"subtopic {s.topic}/{s.name!r}"
        if (s.topic, s.name) in seen_names:
            raise ValueError(f"{where} appears twice")
        seen_names.add((s.topic, s.name))
        if len(s.concepts) != CONCEPTS_PER_SUBTOPIC:
            raise ValueError(f"{where} must have {CONCEPTS_PER_SUBTOPIC} concepts; got {len(s.concepts)}")
        for concept in s.concepts:
            if not 1 <= len(concept) <= MAX_FORMS:
                raise ValueError(f"{where}: a concept must have 1 to {MAX_FORMS} forms; got {concept}")
        n_synonyms = sum(len(c) >= 2 for c in s.concepts)
        if n_synonyms < MIN_SYNONYM_CONCEPTS:
            raise ValueError(f"{where} must have >= {MIN_SYNONYM_CONCEPTS} concepts with synonyms; "
                             f"got {n_synonyms}")
        words = s.words
        for word in words:
            if not isinstance(word, str) or not _WORD.match(word):
                raise ValueError(f"{where}: words must be lowercase ASCII letters; got {word!r}")
        duplicates = sorted({w for w in words if words.count(w) > 1})
        if duplicates:
            raise ValueError(f"{where} repeats {duplicates}")
        owners = topic_words[s.topic]
        for word in words:
            if word in owners:
                raise ValueError(f"{where} shares {word!r} with subtopic {owners[word]!r} of the same topic")
            owners[word] = s.name
    for word in filler_words:
        if not _WORD.match(word):
            raise ValueError(f"filler words must be lowercase ASCII letters; got {word!r}")
        for name, owners in topic_words.items():
            if word in owners:
                raise ValueError(f"filler word {word!r} is used by subtopic {name}/{owners[word]!r}")


def _polysemous(subtopics: tuple[Subtopic, ...]) -> dict[str, tuple[str, ...]]:
    """Word -> the topics (in TOPICS order) of the subtopics it appears in, for words in >= 2 topics."""
    order = {t.name: i for i, t in enumerate(TOPICS)}
    topics_of: dict[str, set[str]] = {}
    for s in subtopics:
        for word in s.words:
            topics_of.setdefault(word, set()).add(s.topic)
    return {word: tuple(sorted(ts, key=order.__getitem__))
            for word, ts in sorted(topics_of.items()) if len(ts) >= 2}


_validate(SUBTOPICS, FILLER_WORDS)
POLYSEMOUS: dict[str, tuple[str, ...]] = _polysemous(SUBTOPICS)
