"""What is wrong with an RDF file rdflib or the XML parser refused, said in plain words with its line.

The parsers' own messages ("Bad syntax at ^ in: …", "unbound prefix") name a symptom; a librarian needs the
cause and the fix ("the prefix dct: is never declared; add @prefix dct: <…> .").
"""
from __future__ import annotations

import re
from xml.sax import SAXParseException

from rdflib import RDF
from rdflib.namespace import DCTERMS, OWL, SKOS, XSD

# Namespaces people forget to declare, so the error can say what to add.
WELL_KNOWN = {"skos": str(SKOS), "rdf": str(RDF), "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "owl": str(OWL),
              "dct": str(DCTERMS), "dcterms": str(DCTERMS), "dc": "http://purl.org/dc/elements/1.1/",
              "xsd": str(XSD), "foaf": "http://xmlns.com/foaf/0.1/", "schema": "https://schema.org/"}
XML_MESSAGES = {"not well-formed (invalid token)": "The XML is not well-formed here: a stray character, or a tag "
                                                   "that is not closed.",
                "mismatched tag": "A closing tag does not match the tag it closes.",
                "junk after document element": "There is text after the end of the rdf:RDF element.",
                "no element found": "The file ends before the XML does: a tag is never closed.",
                "syntax error": "This is not XML (the first line should be <?xml …?> or <rdf:RDF …>)."}


def _undeclared(prefix: str, turtle: bool) -> str:
    namespace = WELL_KNOWN.get(prefix.lower(), "…")
    fix = f"@prefix {prefix}: <{namespace}> ." if turtle else f'xmlns:{prefix}="{namespace}"'
    where = "at the top of the file" if turtle else "to the rdf:RDF element"
    return f"The prefix “{prefix}:” is used but never declared. Add “{fix}” {where}."


def _line(data: bytes, number: int | None) -> str:
    lines = data.decode("utf-8", errors="replace").splitlines()
    return lines[number - 1] if number and 0 < number <= len(lines) else ""


def xml_problem(exc: SAXParseException, data: bytes) -> tuple[str, int | None]:
    """(message, line) for an RDF/XML file the XML parser refused."""
    line, message = exc.getLineNumber(), exc.getMessage()
    if message == "unbound prefix":
        # The parser does not say which prefix: the first one on that line the file never declares.
        text = data.decode("utf-8", errors="replace")
        used = re.findall(r"(?:</?|\s)([A-Za-z_][\w.-]*):[A-Za-z_]", _line(data, line))
        missing = [prefix for prefix in used if prefix != "xml" and f"xmlns:{prefix}=" not in text]
        if missing:
            return _undeclared(missing[0], turtle=False), line
        return "An element or attribute uses a prefix that is never declared (xmlns:…).", line
    return XML_MESSAGES.get(message, f"The XML is broken here ({message})."), line


def turtle_problem(exc: Exception) -> tuple[str, int | None]:
    """(message, line) for a Turtle (or other text RDF) file rdflib refused."""
    why = str(getattr(exc, "_why", "") or "")
    line = getattr(exc, "lines", None)
    line = line + 1 if isinstance(line, int) else None  # rdflib counts lines from 0
    if line is None:
        found = re.search(r"line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
    unbound = re.search(r'Prefix "([^"]*):" not bound', why)
    if unbound:
        return _undeclared(unbound.group(1), turtle=True), line
    if why:
        return f"The Turtle syntax is broken here: {why[0].lower() + why[1:]}.", line
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"The file could not be read as RDF: {first}", line
