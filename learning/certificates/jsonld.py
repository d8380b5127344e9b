"""JSON-LD processing with the contexts shipped in ``standards/``, never the network.

Canonicalising a credential needs its ``@context`` documents. Fetching them at run time
would make signing and verifying depend on third-party servers (and let whoever answers for
those addresses change what a signature covers), so the loader below answers only from the
copies in this package and refuses any other address.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from pyld import jsonld
from pyld.jsonld import JsonLdError

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_V3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"

# Context address -> file in learning/certificates/standards (sources in its README).
LOCAL_CONTEXTS = {
    VC_V2_CONTEXT: "credentials-v2.jsonld",
    OB_V3_CONTEXT: "context-3.0.3.json",
    MULTIKEY_CONTEXT: "multikey-v1.jsonld",
}


@cache
def _context_text(filename: str) -> str:
    return (files("learning.certificates") / "standards" / filename).read_text(encoding="utf-8")


def standard_file(filename: str) -> Any:
    """A JSON file of ``standards/`` (schema, contexts, test vector), parsed."""
    return json.loads(_context_text(filename))


def local_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld document loader: the shipped copy of a known context, an error for anything else."""
    filename = LOCAL_CONTEXTS.get(url)
    if filename is None:
        raise JsonLdError(f"Refusing to load {url!r}: only the shipped contexts are available.",
                          "jsonld.LoadDocumentError", {"url": url},
                          code="loading document failed")
    # A fresh parse per call: pyld may keep references into what it is given.
    return {"contextUrl": None, "documentUrl": url, "document": json.loads(_context_text(filename))}


def canonical_nquads(document: dict[str, Any]) -> str:
    """The RDF Dataset Canonicalization (RDFC-1.0) of ``document`` as N-Quads.

    pyld names the algorithm by its draft name, URDNA2015; RDFC-1.0 is the same algorithm
    as standardised by the W3C (the 1EdTech test vector below the tests checks the output).
    """
    return jsonld.normalize(document, {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": local_loader,
    })
