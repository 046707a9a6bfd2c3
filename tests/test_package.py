"""`import kg` must stay light: no heavy library is imported as a side effect."""
import subprocess
import sys

HEAVY = ("spacy", "rdflib", "pyoxigraph", "scispacy", "networkx", "pyshacl", "numpy")


def test_import_kg_is_light():
    code = "import sys, kg; print(','.join(m for m in %r if m in sys.modules))" % (HEAVY,)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import kg pulled in: {out.stdout.strip()}"
