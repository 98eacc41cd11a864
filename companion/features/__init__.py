"""Feature engineering: what scikit-learn lacks for a recommender's features.

Use scikit-learn for what it has (``StandardScaler``, ``KBinsDiscretizer``, ``OneHotEncoder``,
``FeatureHasher``, ``TargetEncoder`` with out-of-fold cross-fitting); this subpackage adds
:class:`Winsorizer`, :class:`FrequencyEncoder`, point-in-time :func:`history_features`, and the
poolings of a history of embeddings. Taught in chapter 04.

>>> from companion.features import mean_pool
"""

from .frequency import FrequencyEncoder
from .history import history_features
from .pooling import attention_pool, mean_pool, recency_pool
from .winsorize import Winsorizer

__all__ = ["FrequencyEncoder", "Winsorizer", "attention_pool", "history_features", "mean_pool", "recency_pool"]
