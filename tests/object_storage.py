"""An S3 API server on loopback for tests of object storage: moto's, with one empty bucket."""

import contextlib
import socket

BUCKET = "komek-test"
REGION = "us-east-1"
KEYS = {"aws_access_key_id": "komek-test", "aws_secret_access_key": "komek-test-secret"}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def s3_server():
    """Yields (endpoint URL, boto3 client) of a fresh server holding the bucket BUCKET.

    moto's server answers CORS requests from any origin, as a bucket configured for the site would.
    """
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name=REGION, **KEYS)
        s3.create_bucket(Bucket=BUCKET)
        yield endpoint, s3
    finally:
        server.stop()
