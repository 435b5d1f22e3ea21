#!/usr/bin/env python3
"""The peers' side of `cargo xtask bench-compare`.

Two commands:

  peers.py measure OUT.json STDOUT_FILE -- COMMAND...
      runs COMMAND with its standard output sent to STDOUT_FILE, then writes {"wall_s", "peak_rss_bytes", "exit_code"} to OUT.json: the
      wall time around the whole process and its peak resident memory (getrusage of the
      waited child: the kernel's own figure, no sampling). Run with the system python3.

  peers.py drift TOOL REFERENCE.csv CURRENT.csv FEATURES OUT.json
      loads both CSVs with pandas (as a user of TOOL would), computes the drift of every
      feature column (FEATURES: comma-separated) with TOOL's defaults, and writes
      {"columns": {name: {"method", "score"}}} to OUT.json. TOOL is `evidently` or
      `nannyml`; run it with the python3 of TOOL's own virtualenv.

The timing of `drift` is `measure`'s: the whole process, CSV load included, as for
`driftguard check`.
"""
import json
import math
import os
import resource
import subprocess
import sys
import time


def measure(out, stdout, command):
    with open(stdout, "wb") as sink:
        start = time.perf_counter()
        code = subprocess.run(command, stdout=sink, check=False).returncode
    wall = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(out, "w") as f:
        json.dump({"wall_s": wall, "peak_rss_bytes": peak_kib * 1024, "exit_code": code}, f)


def load(path):
    import pandas as pd

    return pd.read_csv(path)


def evidently_drift(reference, current, features):
    """Evidently's DataDriftPreset with its defaults, on the feature columns."""
    from evidently import Report
    from evidently.presets import DataDriftPreset

    report = Report([DataDriftPreset(columns=features)])
    snapshot = report.run(current_data=current[features], reference_data=reference[features])
    columns = {}
    for metric in snapshot.dict()["metrics"]:
        config = metric.get("config", {})
        if config.get("type", "").endswith("ValueDrift"):
            columns[config["column"]] = {"method": config.get("method"), "score": metric["value"]}
    return columns


def nannyml_drift(reference, current, features):
    """NannyML's univariate drift: one chunk over the whole current data; Wasserstein for
    continuous columns and Jensen-Shannon for categorical ones, the methods closest to the
    defaults DriftGuard and Evidently choose at this size."""
    # NannyML reports usage to an analytics service unless told not to; here there is no
    # network, and a lookup that fails would be timed as NannyML's work.
    os.environ["NML_DISABLE_USAGE_LOGGING"] = "1"
    import nannyml as nml

    calculator = nml.UnivariateDriftCalculator(
        column_names=features,
        continuous_methods=["wasserstein"],
        categorical_methods=["jensen_shannon"],
        chunk_number=1,
    )
    calculator.fit(reference[features])
    results = calculator.calculate(current[features]).filter(period="analysis").to_df()
    columns = {}
    for name in features:
        for method in ("wasserstein", "jensen_shannon"):
            key = (name, method, "value")
            if key in results.columns:
                score = float(results[key].iloc[0])
                if method == "wasserstein":
                    # NannyML reports the raw distance; Evidently and DriftGuard divide it by
                    # the reference's standard deviation (ddof 0, at least 0.001).
                    score /= max(float(reference[name].std(ddof=0)), 0.001)
                else:
                    # NannyML's Jensen-Shannon distance is in base 2, theirs in base e.
                    score *= math.sqrt(math.log(2))
                columns[name] = {"method": method, "score": score}
    return columns


def drift(tool, reference_path, current_path, features, out):
    reference = load(reference_path)
    current = load(current_path)
    features = features.split(",")
    compute = {"evidently": evidently_drift, "nannyml": nannyml_drift}[tool]
    with open(out, "w") as f:
        json.dump({"columns": compute(reference, current, features)}, f)


def main(argv):
    if len(argv) >= 6 and argv[1] == "measure" and argv[4] == "--":
        measure(argv[2], argv[3], argv[5:])
    elif len(argv) == 7 and argv[1] == "drift":
        drift(*argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
