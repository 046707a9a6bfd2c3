"""The data flows one way (docs/architecture.md): no stage imports a later one, not even inside a function
or under TYPE_CHECKING, and no modules import each other at module level."""
from __future__ import annotations

import ast
from pathlib import Path

KG = Path(__file__).resolve().parents[1] / "kg"

# Stages in flow order; a module may import its own stage and earlier ones. The shared models and
# infrastructure come first and import no stage. The vocabulary comes before nlp and resolve, which both read it.
STAGES = [
    ("shared", ["kg.document", "kg.concept", "kg.categories", "kg.errors", "kg.atomic", "kg.paths",
                "kg.settings", "kg.cache"]),
    ("ingest", ["kg.ingest"]),
    ("vocabulary", ["kg.vocabulary"]),
    ("nlp", ["kg.nlp"]),
    ("resolve", ["kg.resolve"]),
    ("extract", ["kg.extract"]),
    ("graph", ["kg.graph"]),
    ("consumers", ["kg.query", "kg.stats", "kg.projection", "kg.traverse", "kg.export", "kg.serve",
                   "kg.annotate", "kg.evaluation", "kg.plots", "kg.build", "kg.cli", "kg"]),
]
RANK = {prefix: rank for rank, (_stage, prefixes) in enumerate(STAGES) for prefix in prefixes}


def module_name(path: Path) -> str:
    parts = path.relative_to(KG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_of(module: str) -> tuple[int, str]:
    """The rank and stage name of the longest table prefix of ``module``."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in RANK:
            return RANK[prefix], STAGES[RANK[prefix]][0]
    raise AssertionError(f"{module} is in no stage of tests/test_imports.py STAGES; add it there")


def imports(path: Path, *, top_level_only: bool = False) -> list[tuple[int, str]]:
    """``(line, module)`` of every kg import in ``path`` (all of them, or only those run when it is imported)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # ``from kg import graph`` imports the submodule kg.graph
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names
                      if _is_module(f"{target}.{alias.name}")]
    return [(line, name) for line, name in found if name == "kg" or name.startswith("kg.")]


def _is_module(name: str) -> bool:
    path = KG.parent / name.replace(".", "/")
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


MODULES = {module_name(p): p for p in sorted(KG.rglob("*.py"))}


def test_every_module_has_a_stage():
    for module in MODULES:
        stage_of(module)


def test_no_stage_imports_a_later_one():
    offending = []
    for module, path in MODULES.items():
        rank, stage = stage_of(module)
        for line, target in imports(path):
            if target == "kg" and module != "kg":
                target_rank, target_stage = RANK["kg"], "consumers"
            else:
                target_rank, target_stage = stage_of(target)
            if target_rank > rank:
                offending.append(f"{path.relative_to(KG.parent)}:{line}: {module} ({stage}) imports "
                                 f"{target} ({target_stage})")
    assert not offending, "an earlier stage imports a later one:\n" + "\n".join(offending)


def test_no_import_cycles_at_module_level():
    graph = {module: {t for _line, t in imports(path, top_level_only=True) if t in MODULES and t != module}
             for module, path in MODULES.items()}
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            raise AssertionError("module-level import cycle: " + " -> ".join(path[path.index(module):] + [module]))
        if module in done:
            return
        for target in sorted(graph.get(module, ())):
            visit(target, path + [module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
