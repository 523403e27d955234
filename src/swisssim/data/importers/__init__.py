"""Importers: other tools' result files as the tables of a scenario.

One module per format, each returning an :class:`~swisssim.data.importers.common.Imported`
(scores, standard errors, item counts, first-guess rounds and provenance):

- :func:`import_lm_eval`: EleutherAI lm-evaluation-harness results (v0.4 and v0.3 JSON, found by
  content, merged per task);
- :func:`import_inspect`: Inspect AI logs and eval-set folders (optional extra
  ``swisssim[inspect]``);
- :func:`import_long`: one row per (model, benchmark), CSV or Parquet;
- :func:`import_transposed`: benchmarks as rows, models as columns (OpenCompass summaries);
- :func:`import_wide`: models as rows, benchmarks as columns (``swisssim run scores.csv``).

Every input file is refused before reading when over 256 MiB or binary, and its shape is checked
(one :class:`~swisssim.errors.InputError` naming the file and field).

:func:`swisssim.io.scenario_files.write_imported` writes the scenario file; ``swisssim import``
does both.
"""

from swisssim.data.importers.common import Imported, Source
from swisssim.data.importers.inspect_logs import import_inspect
from swisssim.data.importers.lm_eval import import_lm_eval
from swisssim.data.importers.long import import_long
from swisssim.data.importers.transposed import import_transposed
from swisssim.data.importers.wide import import_wide

IMPORTERS = {"lm-eval": import_lm_eval, "inspect": import_inspect, "long": import_long,
             "transposed": import_transposed}

__all__ = ["IMPORTERS", "Imported", "Source", "import_inspect", "import_lm_eval", "import_long",
           "import_transposed", "import_wide"]
