"""A discrete-event model of a city's community workers (社区工作者).

Typical use in a notebook::

    import model
    sc = model.load("scenarios/changzhou-2022.toml")
    res = model.run(sc, reps=200, seed=1)
    res.summary()        # tidy: scenario, year, metric, mean, sd, quantiles
    res.targets()        # probability each policy target is met
    res.per_replication()
"""

from .errors import ScenarioError, UserError
from .results import Results
from .runner import run
from .scenario import Scenario, load

__version__ = "0.1.0"
__all__ = ["load", "run", "Results", "Scenario", "ScenarioError", "UserError", "__version__"]
