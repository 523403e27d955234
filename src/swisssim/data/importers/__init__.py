"""Importers: other tools' result files as the tables of a scenario.

One module per format, each returning an :class:`~swisssim.data.importers.common.Imported`
(scores, standard errors, item counts, first-guess rounds and provenance):

- :func:`import_lm_eval`: EleutherAI lm-evaluation-harness v0.4 ``results_*.json``;
- :func:`import_inspect`: Inspect AI logs (optional extra ``swisssim[inspect]``);
- :func:`import_long`: one row per (model, benchmark), CSV or Parquet;
- :func:`import_transposed`: benchmarks as rows, models as columns (OpenCompass summaries).

:func:`swisssim.io.scenario_files.write_imported` writes the scenario file; ``swisssim import``
does both.
"""

from swisssim.data.importers.common import Imported, Source
from swisssim.data.importers.inspect_logs import import_inspect
from swisssim.data.importers.lm_eval import import_lm_eval
from swisssim.data.importers.long import import_long
from swisssim.data.importers.transposed import import_transposed

IMPORTERS = {"lm-eval": import_lm_eval, "inspect": import_inspect, "long": import_long,
             "transposed": import_transposed}

__all__ = ["IMPORTERS", "Imported", "Source", "import_inspect", "import_lm_eval", "import_long",
           "import_transposed"]
