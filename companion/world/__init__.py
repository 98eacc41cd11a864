"""The synthetic product world: a short-video app with planted ground truth (chapter 00).

>>> from companion.world import make_world
>>> world = make_world("tiny", seed=0)
>>> sorted(world.tables)
['events', 'items', 'topics', 'users']
"""

from .config import SIZES, EngagementParams, WorldConfig, world_config
from .memory import SeenSet
from .policies import Policy, PopularityPolicy, Slates, sample_distinct
from .recommenders import HybridPolicy, TopicProfilePolicy
from .simulator import DIURNAL, WEEKLY, SimulationResult, Simulator
from .topics import TOPICS, Topic
from .treatments import METRICS, TreatedPolicy, treatment_family, true_effect
from .truth import INFORMATIVE_FEATURES, UNINFORMATIVE_FEATURES, Truth
from .vocabulary import SUBTOPICS, Subtopic
from .world import World, make_world

__all__ = [
    "DIURNAL",
    "INFORMATIVE_FEATURES",
    "METRICS",
    "SIZES",
    "SUBTOPICS",
    "TOPICS",
    "UNINFORMATIVE_FEATURES",
    "WEEKLY",
    "EngagementParams",
    "HybridPolicy",
    "Policy",
    "PopularityPolicy",
    "SeenSet",
    "SimulationResult",
    "Simulator",
    "Slates",
    "Subtopic",
    "Topic",
    "TopicProfilePolicy",
    "TreatedPolicy",
    "Truth",
    "World",
    "WorldConfig",
    "make_world",
    "sample_distinct",
    "treatment_family",
    "true_effect",
    "world_config",
]
