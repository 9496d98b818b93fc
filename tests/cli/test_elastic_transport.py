"""elastic-transport, the HTTP transport under elasticsearch-py, is a client library the catalog knows, driven through
``trace-advisor analyze`` as a subprocess (issue #16: "I/O the catalog does not know")."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import external_io, recommendations
from tests.support.files import write_project


def test_elastic_transport_is_the_network_boundary_of_elasticsearch_py(tmp_path: Path) -> None:
    """elasticsearch-py's ``BaseClient._perform_request`` hands every API call to elastic-transport's
    ``Transport.perform_request``: a request to an Elasticsearch node, which the catalog did not know (its client was
    found to do no I/O at all)."""
    project = write_project(
        tmp_path / "search",
        {
            "search/__init__.py": "",
            "search/client.py": (
                "from elastic_transport import Transport\n\n\n"
                "class SearchClient:\n"
                "    def __init__(self, transport: Transport) -> None:\n"
                "        self.transport = transport\n\n"
                "    def perform_request(self, method: str, path: str, body: dict | None = None) -> dict:\n"
                "        headers = {'accept': 'application/json'}\n"
                "        response = self.transport.perform_request(method, path, headers=headers, body=body)\n"
                "        if response.meta.status >= 400:\n"
                "            raise RuntimeError(response.meta.status)\n"
                "        return response.body\n"
            ),
        },
    )
    recs = recommendations(project, tmp_path, "--min-confidence", "0.01")
    assert "elastic_transport:Transport.perform_request" in external_io(recs["SearchClient.perform_request"])
