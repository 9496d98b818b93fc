"""Calls into a database package that build in memory are no database I/O: SQLAlchemy's loader options
(``Load(User).load_only(...)``) and ``Query`` builders such as ``with_session``, and oracledb's ``makedsn`` (a connect
string). Seen on pypi/warehouse (``load_only``, ``with_session`` as "sql database") and getredash/redash
(``oracledb.makedsn`` as "oracle database"). The session's ``commit`` stays a round trip."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import external_io, recommendations

QUERIES = """\
import oracledb
from sqlalchemy.orm import Load, Query, Session


def project_options(model):
    options = Load(model).load_only("id", "name")
    query = Query(model).with_session(None).options(options)
    if query is None:
        raise LookupError(model)
    return query


def oracle_dsn(host, port, service):
    dsn = oracledb.makedsn(host, port, service_name=service)
    if not dsn:
        raise ValueError(host)
    return dsn


def save(session: Session, row):
    session.add(row)
    session.commit()
    return row
"""


def test_building_a_query_or_a_connect_string_is_no_database_call(tmp_path: Path) -> None:
    root = tmp_path / "app"
    root.mkdir()
    (root / "queries.py").write_text(QUERIES, encoding="utf-8")
    found = recommendations(root, tmp_path, "--min-confidence", "0")
    assert "database" not in str(found.get("project_options", {}).get("rationale", ""))
    assert "oracle database" not in str(found.get("oracle_dsn", {}).get("rationale", ""))
    assert "Calls sqlalchemy.orm.Session.commit (sql database)" in str(found["save"]["rationale"])


CLIENTS = """\
import numpy as np
import pypd
from azure.kusto.data import ClientRequestProperties, KustoClient, KustoConnectionStringBuilder
from azure.storage.blob import BlobServiceClient
from sqlalchemy.engine import URL
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import scoped_session, sessionmaker

db_session = scoped_session(sessionmaker())


def column_type(kind):
    mutable = MutableDict.as_mutable(kind)
    url = URL.create("postgresql", host="db")
    return mutable, url


def save(row):
    db_session.add(row)
    db_session.commit()


def kusto(cluster, query):
    kcsb = KustoConnectionStringBuilder.with_aad_managed_service_identity_authentication(cluster)
    properties = ClientRequestProperties()
    properties.set_option("servertimeout", 30)
    return KustoClient(kcsb).execute("db", query, properties)


def upload(service: BlobServiceClient, name, data):
    container = service.get_container_client("reports")
    container.upload_blob(name, data)


def page(data):
    try:
        return pypd.EventV2.create(data=data)
    except Exception:
        return None


def integer_columns(frame):
    return [name for name, dtype in frame.dtypes.items() if dtype == np.dtype("int64") or np.isnan(dtype)]
"""


def test_values_built_in_memory_are_no_calls_and_vendor_resources_are(tmp_path: Path) -> None:
    """Seen on getredash/redash: ``MutableDict.as_mutable`` read as "sql database", Kusto's connection-string builder
    and request properties as "Azure API call", ``np.dtype`` as heavy computation, and its PagerDuty destination
    (``pypd.EventV2.create``, the older SDK) left out as "no I/O of its own". A ``scoped_session``'s ``commit`` is a
    round trip (it proxies a ``Session``)."""
    root = tmp_path / "app"
    root.mkdir()
    (root / "clients.py").write_text(CLIENTS, encoding="utf-8")
    found = recommendations(root, tmp_path, "--min-confidence", "0")
    assert "column_type" not in found or not external_io(found["column_type"])
    rationale = {name: str(found[name]["rationale"]) for name in ("save", "kusto", "upload", "page")}
    assert external_io(found["save"]) == ["sqlalchemy.orm:scoped_session.commit"]
    assert "Calls sqlalchemy.orm.scoped_session.commit (sql database)" in rationale["save"]
    assert external_io(found["kusto"]) == ["azure.kusto.data:KustoClient.execute"]
    assert external_io(found["upload"]) == ["azure.storage.blob:ContainerClient.upload_blob"]
    assert "Calls pypd.EventV2.create (PagerDuty API)" in rationale["page"]
    assert "integer_columns" not in found or "heavy computation" not in str(found["integer_columns"]["rationale"])


SEARCH = """\
import meilisearch
from elasticsearch_dsl import Search
from elasticsearch_dsl.connections import connections


def search_notes(client: meilisearch.Client, text):
    index = client.index("notes")
    return index.search(text)


def es_health():
    return connections.get_connection().ping()


def es_search(text):
    search = Search(index="notes").query("match", text=text).filter("term", user="me")
    return search.execute()
"""


def test_search_engines_clients_are_read_where_their_packages_are_not_installed(tmp_path: Path) -> None:
    """Seen on openedx/edx-notes-api: its Meilisearch views (``client.index(name).search(...)``) and its
    elasticsearch-dsl health check (``connections.get_connection().ping()``) showed no I/O at all; a Search is built
    in memory and ``execute()`` sends it."""
    root = tmp_path / "app"
    root.mkdir()
    (root / "search.py").write_text(SEARCH, encoding="utf-8")
    found = recommendations(root, tmp_path, "--min-confidence", "0")
    assert external_io(found["search_notes"]) == ["meilisearch.index:Index.search"]
    assert external_io(found["es_health"]) == ["elasticsearch:Elasticsearch.ping"]
    assert external_io(found["es_search"]) == ["elasticsearch_dsl:Search.execute"]


DRIVERS = """\
import aiopg
import asyncpg


async def open_cursor(conn: aiopg.Connection):
    cursor = await conn.cursor()
    return cursor


async def run(conn: aiopg.Connection, sql):
    cursor = await conn.cursor()
    await cursor.execute(sql)


async def begin(conn: asyncpg.Connection):
    transaction = conn.transaction()
    await transaction.start()
    return transaction


async def prepare(conn: asyncpg.Connection):
    return conn.transaction()
"""


def test_a_drivers_cursor_or_transaction_object_is_no_query(tmp_path: Path) -> None:
    """Seen on encode/databases: ``await conn.cursor()`` (aiopg, aiomysql) and asyncpg's ``conn.transaction()``
    read as database calls; the cursor's ``execute`` and the transaction's ``start`` are."""
    root = tmp_path / "app"
    root.mkdir()
    (root / "drivers.py").write_text(DRIVERS, encoding="utf-8")
    found = recommendations(root, tmp_path, "--min-confidence", "0")
    assert "open_cursor" not in found or not external_io(found["open_cursor"])
    assert "prepare" not in found or not external_io(found["prepare"])
    assert external_io(found["run"]) == ["aiopg:Cursor.execute"]
    assert external_io(found["begin"]) == ["asyncpg:Transaction.start"]


OBJECTS = """\
from minio import Minio

_client = None


def client() -> Minio:
    global _client
    if _client is None:
        _client = Minio("s3.example.com", "key", "secret")
    return _client


def get_object(bucket, key):
    response = client().get_object(bucket, key)
    try:
        return response.read()
    finally:
        response.close()


def download_link(bucket, key):
    url = client().presigned_get_object(bucket, key)
    if not url:
        raise LookupError(key)
    return url
"""


def test_minio_requests_are_object_storage_and_a_presigned_url_is_signed_in_memory(tmp_path: Path) -> None:
    """Seen on healthchecks/healthchecks: its S3 helpers (``client().get_object(...)`` on a ``Minio`` client) were
    "computation with no I/O found" and left out; a presigned URL is signed locally, for someone else to request."""
    root = tmp_path / "app"
    root.mkdir()
    (root / "objects.py").write_text(OBJECTS, encoding="utf-8")
    found = recommendations(root, tmp_path, "--min-confidence", "0")
    assert external_io(found["get_object"]) == ["minio:Minio.get_object"]
    assert "S3 object storage (MinIO)" in str(found["get_object"]["rationale"])
    assert "download_link" not in found or not external_io(found["download_link"])


WEBHOOKS = """\
import stripe


def billing_webhook(payload, signature, secret):
    event = stripe.Webhook.construct_event(payload, signature, secret)
    if event.type != "invoice.paid":
        raise LookupError(event.type)
    return event


def refresh_customer(customer_id):
    customer = stripe.Customer.retrieve(customer_id)
    if customer.deleted:
        raise LookupError(customer_id)
    return customer
"""


def test_a_stripe_webhook_is_checked_in_memory(tmp_path: Path) -> None:
    """Seen on pypi/warehouse: ``stripe.Webhook.construct_event`` (an HMAC over a payload already received) was a
    "Stripe API" call; ``Customer.retrieve`` is a request."""
    root = tmp_path / "app"
    root.mkdir()
    (root / "billing.py").write_text(WEBHOOKS, encoding="utf-8")
    found = recommendations(root, tmp_path, "--min-confidence", "0")
    assert "billing_webhook" not in found or not external_io(found["billing_webhook"])
    assert external_io(found["refresh_customer"]) == ["stripe:Customer.retrieve"]
