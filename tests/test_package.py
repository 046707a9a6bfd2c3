"""`import kg` must stay light: no heavy library is imported as a side effect."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HEAVY = ("spacy", "rdflib", "pyoxigraph", "scispacy", "networkx", "pyshacl", "numpy")


def test_import_kg_is_light():
    code = f"import sys, kg; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import kg pulled in: {out.stdout.strip()}"


def test_data_folders_are_found_through_kg_paths():
    from kg.paths import models_dir, ontologies_dir, pipelines_dir, queries_dir

    assert (ontologies_dir() / "sources.tsv").is_file() and (ontologies_dir() / "schema.ttl").is_file()
    assert (pipelines_dir() / "dictionary.cfg").is_file()
    assert any(queries_dir().glob("*.rq"))
    assert (models_dir() / "ner" / "meta.json").is_file()


def test_the_wheel_carries_the_data_folders(tmp_path):
    """A wheel holds ontologies/, pipelines/, queries/ and models/ under kg/_data, where kg.paths looks first."""
    import zipfile
    from pathlib import Path

    from hatchling.builders.wheel import WheelBuilder

    root = Path(__file__).resolve().parents[1]
    wheel = next(iter(WheelBuilder(str(root)).build(directory=str(tmp_path), versions=["standard"])))
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("ontologies", "pipelines", "queries", "models"):
        shipped = {p.relative_to(root).as_posix() for p in (root / folder).rglob("*") if p.is_file()}
        missing = {n for n in shipped if f"kg/_data/{n}" not in names}
        assert not missing, f"the wheel lacks {sorted(missing)[:3]}"
    assert "kg/export/viewer_template.html" in names and "kg/paths.py" in names
    assert not any(n.startswith(("tests/", "training/", "data/")) for n in names)


def test_settings_come_from_the_environment_and_platform_defaults(tmp_path, monkeypatch):
    import kg.paths
    from kg.settings import Settings

    s = Settings.from_env({"KG_DATA_DIR": str(tmp_path), "KG_OFFLINE": "yes", "KG_SHARED_DIR": str(tmp_path)})
    assert s.data_dir == tmp_path and s.vocab_dir == tmp_path / "vocab" and s.offline and s.shared_dir == tmp_path
    assert Settings.from_env({}, offline=True).offline
    # from this checkout (an editable install) the defaults are the checkout's data/, as the Makefile sets
    here = Settings.from_env({})
    assert here.data_dir == ROOT / "data" and here.cache_dir == ROOT / "data" / "vocab" / "cache"
    monkeypatch.setattr(kg.paths, "checkout_root", lambda: None)  # as from a wheel
    bare = Settings.from_env({})
    assert bare.data_dir.name == "kg" and bare.cache_dir.name == "kg" and not bare.offline
    assert bare.shared_dir is None
