"""The synthetic product world: a short-video app with planted ground truth (chapter 00).

>>> from companion.world import make_world
>>> world = make_world("tiny", seed=0)
>>> sorted(world.tables)
['events', 'items', 'topics', 'users']
"""

from .config import SIZES, EngagementParams, WorldConfig, world_config
from .policies import Policy, PopularityPolicy, Slates, sample_distinct
from .recommenders import HybridPolicy, TopicProfilePolicy
from .simulator import DIURNAL, WEEKLY, SimulationResult, Simulator
from .topics import TOPICS, Topic
from .truth import INFORMATIVE_FEATURES, UNINFORMATIVE_FEATURES, Truth
from .world import World, make_world

__all__ = [
    "DIURNAL",
    "INFORMATIVE_FEATURES",
    "SIZES",
    "TOPICS",
    "UNINFORMATIVE_FEATURES",
    "WEEKLY",
    "EngagementParams",
    "HybridPolicy",
    "Policy",
    "PopularityPolicy",
    "SimulationResult",
    "Simulator",
    "Slates",
    "Topic",
    "TopicProfilePolicy",
    "Truth",
    "World",
    "WorldConfig",
    "make_world",
    "sample_distinct",
    "world_config",
]
