"""Policy experiments: each a command ``python -m model <name>`` and, in the module of that
name, a function of the same name (``from model.experiments.compare import compare``: the
name on this package is the module).

=============  ==========================================================  =============================
module         function                                                    returns
=============  ==========================================================  =============================
compare        ``compare(scenarios, reps, seed)``                          :class:`compare.Comparison`
sweep          ``sweep(scenario, {lever: values}, reps, seed)``            :class:`sweep.Sweep`
solve          ``solve(scenario, lever, lo, hi, target, prob, reps, seed)``  :class:`solve.Solution`
sensitivity    ``sensitivity(scenario, output, params, reps, seed, sobol)``  :class:`sensitivity.Sensitivity`
calibrate      ``calibrate(scenario, {lever: (lo, hi)}, observations)``    :class:`calibrate.Calibration`
=============  ==========================================================  =============================

Levers, outputs and the runs on common random numbers they share are in :mod:`.common`.
Modules are imported on demand (``from model.experiments.compare import compare``). The
arguments after ``seed`` are keywords (``sobol=64``, ``workers=1``...).
"""
