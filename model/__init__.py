"""A discrete-event model of a city's community workers (社区工作者).

Typical use in a notebook::

    import model
    sc = model.load("changzhou-2022")     # a file in scenarios/ by name, or any path
    res = model.run(sc, reps=200, seed=1)
    res.summary()        # tidy: scenario, year, metric, mean, sd, quantiles
    res.targets()        # probability each policy target is met
    res.per_replication()
    res.metric("payroll")   # one row per replication, one column per year

Experiments on common random numbers (:mod:`model.experiments`; each also a command)::

    from model.experiments.compare import compare    # likewise .sweep, .solve, .sensitivity, .calibrate
    from model.experiments.sweep import sweep
    cmp = compare(["jilin-2020", "alternatives/jilin-2020-no-phasing"], reps=200, seed=1)
    cmp.differences          # paired differences with 95% intervals, per year and metric
    sc = model.load("jilin-2020")   # an alternative made in Python, named in the tables:
    compare([sc, sc.with_overrides({"quits.rate*": 1.2})], reps=200, labels=["as is", "quits +20%"])
    # the pass rate's schedule times 0.8, 1.0, 1.2 (keeping its years and its uncertainty)
    sw = sweep("changzhou-2022", {"certification.pass_prob*": [0.8, 1.0, 1.2]}, reps=100)
    sw.output("certified_share@2025")   # the mean at each value, with its 95% interval

The public names are imported on first use, so ``python -m model`` starts quickly and an
early Ctrl-C is handled cleanly.
"""

__version__ = "0.11.0"
__all__ = ["load", "run", "Results", "Scenario", "ScenarioError", "UserError", "__version__"]
_SUBPACKAGES = ("experiments", "report")  # imported on first use too (model.experiments.compare...)


def __dir__():
    return sorted(set(globals()) | set(__all__) | set(_SUBPACKAGES))


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
    if name == "experiments":  # a submodule import sets the attribute, so this runs once
        import model.experiments
        return model.experiments
    if name == "report":
        import model.report
        return model.report
    raise AttributeError(f"module 'model' has no attribute {name!r}")
