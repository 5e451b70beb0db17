"""A discrete-event model of a city's community workers (社区工作者).

Typical use in a notebook::

    import model
    sc = model.load("changzhou-2022")     # a file in scenarios/ by name, or any path
    res = model.run(sc, reps=200, seed=1)
    res.summary()        # tidy: scenario, year, metric, mean, sd, quantiles
    res.targets()        # probability each policy target is met
    res.per_replication()

The public names are imported on first use, so ``python -m model`` starts quickly and an
early Ctrl-C is handled cleanly.
"""

__version__ = "0.4.2"
__all__ = ["load", "run", "Results", "Scenario", "ScenarioError", "UserError", "__version__"]


def __dir__():
    return sorted(set(globals()) | set(__all__))


def __getattr__(name):
    if name in ("load", "Scenario"):
        from .scenario import Scenario, load
        return {"load": load, "Scenario": Scenario}[name]
    if name == "run":
        from .runner import run
        return run
    if name == "Results":
        from .results import Results
        return Results
    if name in ("ScenarioError", "UserError"):
        from .errors import ScenarioError, UserError
        return {"ScenarioError": ScenarioError, "UserError": UserError}[name]
    raise AttributeError(f"module 'model' has no attribute {name!r}")
