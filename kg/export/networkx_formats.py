"""GraphML, GEXF and Cytoscape JSON written by networkx's own writers from the projection.

GraphML and GEXF hold only scalar attributes (networkx #3663, #5024; GEXF reads lists as dynamic values), so
list attributes are joined with ``|`` (the KGX multivalue delimiter) before writing. Every node gets ``name``
(what Cytoscape shows) and ``label`` (Gephi); the GraphML file also carries yFiles ``y:ShapeNode`` labels and
category colours, which is what yEd displays (yEd ignores plain data keys until mapped by hand).
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.atomic import atomic_path, atomic_write_text
from kg.export.palette import colour, rgb

if TYPE_CHECKING:
    import networkx as nx

    from kg.traverse import KnowledgeGraph

log = logging.getLogger(__name__)

MULTIVALUE_DELIMITER = "|"
_GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
_Y_NS = "http://www.yworks.com/xml/graphml"


def flatten_value(value: Any) -> Any:
    """Lists, tuples and sets → ``a|b``; dicts → JSON text; numpy-free scalars pass through."""
    if isinstance(value, (list, tuple, set)):
        return MULTIVALUE_DELIMITER.join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def display_graph(kg: KnowledgeGraph, *, flatten: bool) -> nx.MultiDiGraph:
    """The projection with ``name``/``label``/``colour`` set for viewers and, if asked, flat attributes."""
    g = kg.to_networkx()
    for _, data in g.nodes(data=True):
        data["name"] = data.get("label", "")
        data["colour"] = colour(str(data.get("category", "")))
    if flatten:
        for _, data in g.nodes(data=True):
            for k in list(data):
                data[k] = flatten_value(data[k])
        for _, _, data in g.edges(data=True):
            for k in list(data):
                data[k] = flatten_value(data[k])
    return g


def write_graphml(kg: KnowledgeGraph, path: Path) -> list[Path]:
    import xml.etree.ElementTree as ET

    import networkx as nx

    g = display_graph(kg, flatten=True)
    ET.register_namespace("", _GRAPHML_NS)
    ET.register_namespace("y", _Y_NS)
    root = ET.fromstring("".join(nx.generate_graphml(g, edge_id_from_attribute="id")))
    _add_yfiles(root, g)
    with atomic_path(path) as tmp:
        ET.ElementTree(root).write(tmp, encoding="utf-8", xml_declaration=True)
    return [path]


def _add_yfiles(root: Any, g: nx.MultiDiGraph) -> None:
    """yFiles graphics keys: a coloured, labelled ShapeNode per node and a labelled PolyLineEdge per edge."""
    import xml.etree.ElementTree as ET

    gml, y = f"{{{_GRAPHML_NS}}}", f"{{{_Y_NS}}}"
    graph_el = root.find(f"{gml}graph")
    position = list(root).index(graph_el)
    for i, (kind, key_id) in enumerate((("node", "y_nodegraphics"), ("edge", "y_edgegraphics"))):
        root.insert(
            position + i, ET.Element(f"{gml}key", {"for": kind, "id": key_id, "yfiles.type": f"{kind}graphics"})
        )
    for node_el in graph_el.findall(f"{gml}node"):
        data = g.nodes[node_el.get("id")]
        holder = ET.SubElement(node_el, f"{gml}data", {"key": "y_nodegraphics"})
        shape = ET.SubElement(holder, f"{y}ShapeNode")
        ET.SubElement(shape, f"{y}Geometry", {"width": "120.0", "height": "30.0"})
        ET.SubElement(shape, f"{y}Fill", {"color": data["colour"], "transparent": "false"})
        ET.SubElement(shape, f"{y}NodeLabel").text = str(data.get("label", ""))
        ET.SubElement(shape, f"{y}Shape", {"type": "roundrectangle"})
    labels = {k: d.get("label", "") for _, _, k, d in g.edges(keys=True, data=True)}
    for edge_el in graph_el.findall(f"{gml}edge"):
        holder = ET.SubElement(edge_el, f"{gml}data", {"key": "y_edgegraphics"})
        line = ET.SubElement(holder, f"{y}PolyLineEdge")
        ET.SubElement(line, f"{y}Arrows", {"source": "none", "target": "standard"})
        ET.SubElement(line, f"{y}EdgeLabel").text = str(labels.get(edge_el.get("id"), ""))


def write_gexf(kg: KnowledgeGraph, path: Path) -> list[Path]:
    import networkx as nx

    g = display_graph(kg, flatten=True)
    for _, data in g.nodes(data=True):
        r, gr, b = rgb(data["colour"])
        data["viz"] = {"color": {"r": r, "g": gr, "b": b, "a": 1.0}}
    with atomic_path(path) as tmp:
        nx.write_gexf(g, tmp, version="1.2draft")
    return [path]


def write_cyjs(kg: KnowledgeGraph, path: Path) -> list[Path]:
    """Cytoscape JSON keeps lists, so nothing is flattened."""
    import networkx as nx

    g = display_graph(kg, flatten=False)
    data = nx.cytoscape_data(g, name="name", ident="id")
    atomic_write_text(path, json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    return [path]
