"""The scenarios shipped with swisssim, loadable by name.

>>> from swisssim import examples
>>> examples.names()                         # doctest: +SKIP
['bbh', 'helm_capabilities', 'helm_lite', 'mmlu_subjects', 'open_llm_v1', 'paper_synthetic']
>>> scenario = examples.load("helm_capabilities")   # doctest: +SKIP

See :mod:`swisssim.data.examples` (the implementation) and ``scenarios/README.md`` (provenance
and licences of the data).
"""

from swisssim.data.examples import Listing, folder, listing, load, names, path, resolve

__all__ = ["Listing", "folder", "listing", "load", "names", "path", "resolve"]
