#!/usr/bin/python3
"""Lists, wipes or corrupts the objects behind an arkiv store URL, going
through each server's own API (boto3 for S3, azure-storage-blob for Azure)
rather than through arkiv, so the tests see what the clouds really hold.

Usage: cloud_objects.py URL ACTION [ARGS]
  URL     s3://BUCKET/PREFIX?endpoint=URL, azure://ACCOUNT/CONTAINER/PREFIX?endpoint=URL,
          file:///PATH or sftp://USER@127.0.0.1:PORT/PATH (the sshd of the tests is
          local: its folder is read directly)
  list            prints "NAME SIZE" for every object (names relative to PREFIX), sorted
  bytes           prints the sum of the sizes of every object but locks/
  wipe            deletes every object
  flip NAME...    flips one byte in the middle of each named object (rewritten in place)
Credentials come from the environment as arkiv takes them (AWS_ACCESS_KEY_ID /
AWS_SECRET_ACCESS_KEY, AZURE_STORAGE_CONNECTION_STRING).
Runs under /usr/bin/python3, which has both boto3 and azure-storage-blob.
"""
import os
import sys
import urllib.parse


class S3:
    def __init__(self, url):
        import boto3
        query = urllib.parse.parse_qs(url.query)
        self.bucket = url.netloc
        self.prefix = url.path.strip("/")
        self.client = boto3.client(
            "s3", endpoint_url=query["endpoint"][0], region_name=query.get("region", ["us-east-1"])[0])

    def _key(self, name):
        return f"{self.prefix}/{name}" if self.prefix else name

    def list(self):
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._key(""))
        start = len(self._key(""))
        return [(o["Key"][start:], o["Size"]) for page in pages for o in page.get("Contents", [])]

    def read(self, name):
        return self.client.get_object(Bucket=self.bucket, Key=self._key(name))["Body"].read()

    def write(self, name, data):
        self.client.put_object(Bucket=self.bucket, Key=self._key(name), Body=data)

    def remove(self, name):
        self.client.delete_object(Bucket=self.bucket, Key=self._key(name))


class Azure:
    def __init__(self, url):
        from azure.storage.blob import BlobServiceClient
        container, _, prefix = url.path.strip("/").partition("/")
        self.prefix = prefix
        service = BlobServiceClient.from_connection_string(os.environ["AZURE_STORAGE_CONNECTION_STRING"])
        self.container = service.get_container_client(container)

    def _key(self, name):
        return f"{self.prefix}/{name}" if self.prefix else name

    def list(self):
        start = len(self._key(""))
        return [(b.name[start:], b.size) for b in self.container.list_blobs(name_starts_with=self._key(""))]

    def read(self, name):
        return self.container.download_blob(self._key(name)).readall()

    def write(self, name, data):
        self.container.upload_blob(self._key(name), data, overwrite=True)

    def remove(self, name):
        self.container.delete_blob(self._key(name))


class Folder:
    def __init__(self, url):
        self.root = urllib.parse.unquote(url.path)

    def list(self):
        found = []
        for directory, _, files in os.walk(self.root):
            for f in files:
                path = os.path.join(directory, f)
                found.append((os.path.relpath(path, self.root), os.path.getsize(path)))
        return found

    def read(self, name):
        with open(os.path.join(self.root, name), "rb") as f:
            return f.read()

    def write(self, name, data):
        with open(os.path.join(self.root, name), "wb") as f:
            f.write(data)

    def remove(self, name):
        os.remove(os.path.join(self.root, name))


def open_store(text):
    url = urllib.parse.urlsplit(text)
    kinds = {"s3": S3, "azure": Azure, "file": Folder, "sftp": Folder}
    if url.scheme not in kinds:
        sys.exit(f"cloud_objects.py: unsupported URL scheme '{url.scheme}'")
    return kinds[url.scheme](url)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    store, action, names = open_store(sys.argv[1]), sys.argv[2], sys.argv[3:]
    if action == "list":
        for name, size in sorted(store.list()):
            print(name, size)
    elif action == "bytes":
        print(sum(size for name, size in store.list() if not name.startswith("locks/")))
    elif action == "wipe":
        for name, _ in store.list():
            store.remove(name)
    elif action == "flip":
        for name in names:
            data = bytearray(store.read(name))
            data[len(data) // 2] ^= 0x40
            store.write(name, bytes(data))
    else:
        sys.exit(f"cloud_objects.py: unknown action '{action}'")


if __name__ == "__main__":
    main()
