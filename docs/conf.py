"""Sphinx configuration: the riskmodel user guide, API reference and notebooks.

Built offline by ``make docs`` with warnings as errors: no intersphinx, no remote assets.
The API pages are generated from each public package's ``__all__`` (see ``api/index.rst``
and ``_templates/autosummary/package.rst``), so a rename in the package renames its page.
"""

import importlib
import inspect
import shutil
from pathlib import Path

import riskmodel

HERE = Path(__file__).parent
GENERATED = HERE / "api" / "generated"

project = "riskmodel"
author = "riskmodel contributors"
copyright = "riskmodel contributors"
release = riskmodel.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_nb",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "jupyter_execute", "**.ipynb_checkpoints"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# API reference: one stub page per public object, taken from each package's __all__.
autosummary_generate = False  # the pages are written below
autosummary_ignore_module_all = False
autosummary_imported_members = True
autodoc_typehints = "none"  # the numpydoc Parameters sections carry the types
autodoc_member_order = "bysource"
autodoc_default_options = {"exclude-members": "__init__"}
numpydoc_show_class_members = False
numpydoc_xref_param_type = False

# A reference to a riskmodel name that does not exist (say, after a rename) fails the
# build; names from other libraries are not linked, since no inventory is fetched.
nitpicky = True
nitpick_ignore_regex = [
    (
        r"py:.*",
        r"(numpy|np|pandas|pd|sklearn|scipy|shap|mlflow|matplotlib|pyarrow|pyspark)(\..*)?",
    ),
    (r"py:.*", r"(pathlib|datetime|collections|typing|os)\..*"),
    (r"py:.*", r"array-like|ArrayLike|callable|optional|default.*"),
]

# Notebooks are executed at every build, so a broken notebook fails the docs.
nb_execution_mode = "force"
nb_execution_timeout = 600  # seconds per cell
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
myst_enable_extensions = ["colon_fence", "deflist"]

html_theme = "pydata_sphinx_theme"
html_title = f"riskmodel {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path = []
html_show_sourcelink = False


# The public modules, in the order of the flow (design.md); each gets a page listing its
# ``__all__``. The names themselves are never listed by hand.
API_PACKAGES = [
    "riskmodel",
    "riskmodel.exceptions",
    "riskmodel.data",
    "riskmodel.data.synthetic",
    "riskmodel.cohort",
    "riskmodel.features",
    "riskmodel.frame",
    "riskmodel.splits",
    "riskmodel.models",
    "riskmodel.metrics",
    "riskmodel.evaluation",
    "riskmodel.explain",
    "riskmodel.fairness",
    "riskmodel.reports",
    "riskmodel.scoring",
    "riskmodel.monitoring",
    "riskmodel.tracking",
    "riskmodel.spark",
]
SECTIONS = {
    "class": "Classes",
    "function": "Functions",
    "exception": "Exceptions and warnings",
    "data": "Constants",
}
STUB = {
    "class": ".. autoclass:: {name}\n   :members:\n",
    "exception": ".. autoexception:: {name}\n",
    "function": ".. autofunction:: {name}\n",
    "data": ".. autodata:: {name}\n   :no-value:\n",
}


def _kind(value):
    """Say which section of a package page a public object belongs in."""
    if inspect.isclass(value):
        return "exception" if issubclass(value, BaseException) else "class"
    if callable(value):
        return "function"
    return "data"


def _public_names(package):
    """Return the names in a package's ``__all__`` (dunders such as ``__version__`` aside)."""
    module = importlib.import_module(package)
    return {name: getattr(module, name) for name in module.__all__ if not name.startswith("__")}


def _homes():
    """Where each public object is documented: the most specific package exporting it.

    ``riskmodel.GroundTruth`` and ``riskmodel.data.GroundTruth`` are documented once, as
    ``riskmodel.data.synthetic.GroundTruth``; the other names link there.
    """
    homes = {}
    for package in sorted(API_PACKAGES, key=lambda name: name.count(".")):
        for name, value in _public_names(package).items():
            homes[id(value)] = (f"{package}.{name}", value)
    return {key: home for key, (home, _) in homes.items()}


HOMES = _homes()


def _package_page(package):
    """Write one package's page: its docstring, then its ``__all__`` by kind."""
    kinds = {kind: [] for kind in SECTIONS}
    stubs = []
    for name, value in sorted(_public_names(package).items()):
        kinds[_kind(value)].append(name)
        if HOMES[id(value)] == f"{package}.{name}":
            stubs.append(f"{package}.{name}")
    lines = [package, "=" * len(package), "", f".. automodule:: {package}", "   :no-members:"]
    lines += ["", f".. currentmodule:: {package}", ""]
    for kind, names in kinds.items():
        if names:
            title = SECTIONS[kind]
            lines += [title, "-" * len(title), "", ".. autosummary::", "   :nosignatures:", ""]
            lines += [*(f"   {name}" for name in names), ""]
    lines += [".. toctree::", "   :hidden:", "", *(f"   {stub}" for stub in stubs), ""]
    return "\n".join(lines)


def _stub_page(fullname, value):
    """Write one public object's own page, rendered by autodoc and numpydoc."""
    module, name = fullname.rsplit(".", 1)
    stub = STUB[_kind(value)].format(name=name)
    return f"{fullname}\n{'=' * len(fullname)}\n\n.. currentmodule:: {module}\n\n{stub}"


def _write_api_pages(app, config):
    """Regenerate the API pages from scratch, so that a removed name leaves no page behind."""
    shutil.rmtree(GENERATED, ignore_errors=True)
    GENERATED.mkdir(parents=True)
    for package in API_PACKAGES:
        (GENERATED / f"{package}.rst").write_text(_package_page(package), encoding="utf-8")
        for name, value in _public_names(package).items():
            fullname = HOMES[id(value)]
            if fullname == f"{package}.{name}":
                page = _stub_page(fullname, value)
                (GENERATED / f"{fullname}.rst").write_text(page, encoding="utf-8")
    toctree = [".. toctree::", "   :maxdepth: 1", ""]
    toctree += [f"   generated/{package}" for package in API_PACKAGES]
    (GENERATED / "packages.inc").write_text("\n".join(toctree) + "\n", encoding="utf-8")


def _resolve(dotted):
    """Find the object a public dotted name (no ``_private`` part) refers to, or None."""
    if not dotted.startswith("riskmodel") or "._" in dotted:
        return None
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for part in parts[split:]:
            value = getattr(value, part, None)
        return value
    return None


def _home_of(target):
    """Name where ``target`` is documented: its object's home, plus any attribute path."""
    parts = target.split(".")
    for split in range(len(parts), 1, -1):
        value = _resolve(".".join(parts[:split]))
        if value is not None and id(value) in HOMES:
            return ".".join([HOMES[id(value)], *parts[split:]])
    return None


def _link_to_home(app, env, node, contnode):
    """Resolve a reference to a public alias (``riskmodel.FeatureSpec``) to its home page."""
    if node.get("refdomain") != "py":
        return None
    target, module = node["reftarget"], node.get("py:module")
    for candidate in (target, f"{module}.{target}" if module else None):
        home = candidate and _home_of(candidate)
        if home and home != candidate:
            domain = env.domains["py"]
            return domain.resolve_xref(
                env, node["refdoc"], app.builder, node["reftype"], home, node, contnode
            )
    return None


def _skip_generated_methods(app, what, name, obj, skip, options):
    """Leave out scikit-learn's generated ``set_*_request`` methods (metadata routing)."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    """Write the API pages before Sphinx looks for sources; link aliases to their home."""
    app.connect("config-inited", _write_api_pages)
    app.connect("missing-reference", _link_to_home)
    app.connect("autodoc-skip-member", _skip_generated_methods)
