"""The twenty topics of the synthetic short-video app, with real English vocabulary.

Item titles and descriptions are built from these words (see :mod:`companion.world.items`), so that
text features (TF-IDF, Word2Vec, a BERT encoder) can find the topic signal the way they would in a real
catalogue. Taught in chapter 00 (the world) and chapter 05 (text features).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GENERIC_WORDS", "TITLE_TEMPLATES", "TOPICS", "Topic"]


@dataclass(frozen=True)
class Topic:
    """One topic: a name, its content words and the audience-facing nouns used in titles."""

    name: str
    words: tuple[str, ...]
    subjects: tuple[str, ...]


def _t(name: str, words: str, subjects: str) -> Topic:
    return Topic(name, tuple(words.split()), tuple(subjects.split(",")))


TOPICS: tuple[Topic, ...] = (
    _t("cooking", "recipe kitchen pasta garlic oven bake flavor sauce chef spicy dinner dough butter "
       "grill knife noodles simmer seasoning dessert chocolate",
       "pasta dinner,sourdough bread,chocolate cake,ramen bowl,garlic butter steak,weeknight curry"),
    _t("fitness", "workout gym muscle cardio squat sweat protein reps stretch training strength core "
       "running plank abs endurance coach lift warmup",
       "home workout,leg day,morning run,core routine,pull-up progression,marathon plan"),
    _t("travel", "trip flight hotel beach passport island backpack itinerary city museum journey "
       "luggage airport tourist villa road hiking coast sunset",
       "weekend in Lisbon,island hopping,budget backpacking,road trip,hidden beach,night train"),
    _t("gaming", "game console controller level boss multiplayer speedrun quest pixel loot arcade "
       "shooter strategy esports stream patch character lobby",
       "boss fight,speedrun attempt,ranked match,retro console,open world quest,indie game"),
    _t("music", "song guitar piano melody chord band concert album lyrics drum rhythm vocal beat "
       "studio tune orchestra harmony singer riff",
       "guitar cover,piano ballad,studio session,drum solo,live concert,new single"),
    _t("comedy", "funny joke prank laugh sketch parody standup skit punchline comedian awkward "
       "hilarious meme blooper sarcasm roast improv",
       "stand-up set,prank call,office sketch,parody song,blooper reel,awkward date"),
    _t("pets", "dog cat puppy kitten paw leash vet fur treat bark meow adoption grooming aquarium "
       "hamster parrot rescue fetch",
       "rescue puppy,grumpy cat,dog training,kitten adoption,parrot talking,aquarium setup"),
    _t("science", "experiment physics chemistry atom molecule telescope galaxy planet laboratory "
       "hypothesis energy gravity quantum biology cell fossil microscope",
       "black hole,chemistry experiment,quantum physics,fossil hunt,telescope night,cell biology"),
    _t("tech", "smartphone laptop gadget software app chip battery review unboxing processor "
       "keyboard screen camera update coding robot server",
       "phone unboxing,laptop review,coding setup,smart home gadget,budget headphones,robot kit"),
    _t("fashion", "outfit dress sneakers jacket style designer runway vintage wardrobe denim "
       "accessories thrift trend fabric tailor boots streetwear",
       "thrift haul,capsule wardrobe,street style,vintage jacket,runway look,sneaker drop"),
    _t("football", "goal striker stadium penalty league match keeper dribble tackle coach transfer "
       "derby midfielder referee offside trophy fans",
       "derby highlights,penalty shootout,transfer news,top goals,keeper saves,cup final"),
    _t("finance", "money budget invest stocks savings crypto retirement interest loan mortgage "
       "dividend inflation portfolio tax income debt market",
       "budget plan,index funds,first home,retirement savings,side income,debt payoff"),
    _t("diy", "build wood drill paint tools repair shelf craft glue sanding workshop project "
       "furniture hammer screws renovation tile",
       "shelf build,kitchen renovation,furniture flip,tile repair,workshop tour,wood craft"),
    _t("cars", "engine car drift horsepower tires turbo garage racing exhaust sedan electric "
       "motor restoration gearbox dashboard mileage supercar",
       "engine swap,track day,electric car review,barn find restoration,drift practice,supercar tour"),
    _t("beauty", "makeup skincare lipstick foundation mascara serum glow routine hair nails "
       "moisturizer eyeliner blush salon curls",
       "skincare routine,makeup tutorial,hair transformation,nail art,glow up,salon visit"),
    _t("history", "ancient empire war castle medieval pharaoh roman battle kingdom archive "
       "revolution dynasty ruins artifact century knight",
       "roman empire,medieval castle,ancient egypt,forgotten battle,lost city,royal dynasty"),
    _t("gardening", "garden plant soil seeds flowers compost tomato harvest prune greenhouse "
       "watering roses herbs sprout weeds balcony",
       "balcony garden,tomato harvest,compost bin,rose pruning,herb garden,greenhouse tour"),
    _t("movies", "film trailer director actor scene cinema sequel review plot villain oscar "
       "screenplay premiere franchise soundtrack horror",
       "trailer breakdown,film review,behind the scenes,horror classic,director interview,sequel theory"),
    _t("dance", "dance choreography moves ballet hiphop salsa routine studio rehearsal spin stage "
       "tango groove dancer footwork",
       "dance challenge,ballet rehearsal,salsa lesson,hip-hop routine,stage performance,tango basics"),
    _t("language", "vocabulary grammar spanish french pronunciation fluent lesson verbs accent "
       "phrases translate japanese dictionary conversation",
       "spanish lesson,french phrases,japanese basics,pronunciation drill,grammar tips,fluent in months"),
)

GENERIC_WORDS: tuple[str, ...] = tuple(
    "the a my this best new first day watch try easy quick today really life how you your with for "
    "and in on to of part time week every must love ultimate simple".split()
)

TITLE_TEMPLATES: tuple[str, ...] = (
    "How I made my first {subject}",
    "{subject}: {w1} and {w2} explained",
    "The ultimate {subject} guide",
    "{n} {w1} tips for your {subject}",
    "Trying a {w1} {subject} for a week",
    "Why everyone loves this {subject}",
    "Quick {w1} {w2} for beginners",
    "My {subject} with {w1}, {w2} and {w3}",
)
