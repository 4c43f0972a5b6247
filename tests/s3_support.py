"""The S3-compatible server the storage tests and the drills use.

TRADING_TEST_S3_URL (set by .ci/run, which starts `moto_server`) names a running one; a
missing or unreachable server is then a failure under TRADING_REQUIRE_SERVICES=1, a skip
otherwise. Without the URL, moto's own server runs in this test process on a free port, so
the S3 variant of the storage tests always runs. Every test gets a bucket of its own.
"""

import os
import socket
import uuid
from urllib.parse import urlsplit

import pytest

# moto takes any credentials; boto3 reads them from the environment, as the platform's do.
TEST_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test-only", "AWS_SECRET_ACCESS_KEY": "test-only",
                    "AWS_DEFAULT_REGION": "us-east-1"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or 80), timeout=2).close()
    except OSError:
        return False
    return True


def s3_server_url():
    """Yield the URL of an S3 server for the session (a generator for a session fixture)."""
    for key, value in TEST_CREDENTIALS.items():
        os.environ.setdefault(key, value)
    url = os.environ.get("TRADING_TEST_S3_URL")
    if url:
        if not _reachable(url):
            message = f"TRADING_TEST_S3_URL={url} but no S3 server answers there"
            if os.environ.get("TRADING_REQUIRE_SERVICES") == "1":
                pytest.fail(message)
            pytest.skip(message)
        yield url
        return
    if os.environ.get("TRADING_REQUIRE_SERVICES") == "1":
        pytest.fail("TRADING_REQUIRE_SERVICES=1 but TRADING_TEST_S3_URL is not set")
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        pytest.skip("moto[server] is not installed")
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def client(url: str):
    import boto3

    return boto3.client("s3", endpoint_url=url, region_name="us-east-1")


def new_bucket(url: str) -> str:
    name = f"trading-test-{uuid.uuid4().hex[:16]}"
    client(url).create_bucket(Bucket=name)
    return name


def objects(url: str, bucket: str, prefix: str = "") -> list[str]:
    listing = client(url).list_objects_v2(Bucket=bucket, Prefix=prefix)
    return [item["Key"] for item in listing.get("Contents", [])]


def uploads_in_progress(url: str, bucket: str) -> list[str]:
    return [u["Key"] for u in client(url).list_multipart_uploads(Bucket=bucket).get("Uploads", [])]
