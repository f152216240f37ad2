"""Crash-safe index directories: atomic switch, checksums, unfinished builds ignored."""
import time

import pytest

from index.versions import (
    FORMAT_VERSION, IndexCorruptError, IndexMissingError, Manifest, new_version_dir, open_version, publish, seal,
)


def _build(link, payload: bytes):
    version = new_version_dir(link)
    (version / "data.bin").write_bytes(payload)
    (version / "sub").mkdir()
    (version / "sub" / "x.json").write_text('{"a": 1}')
    seal(version, Manifest(FORMAT_VERSION, "test-model", 4, time.time(), 0.1, {"clauses": 1}, {}))
    return publish(version, link)


def test_publish_and_open(tmp_path):
    link = tmp_path / "index"
    v1 = _build(link, b"one")
    version, manifest = open_version(link)
    assert version == v1.resolve() and manifest.embed_model == "test-model"
    assert set(manifest.files) == {"data.bin", "sub/x.json"}


def test_new_build_switches_atomically_and_old_reader_keeps_its_version(tmp_path):
    link = tmp_path / "index"
    _build(link, b"one")
    reader_version, _ = open_version(link)
    _build(link, b"two")
    assert (reader_version / "data.bin").read_bytes() == b"one"  # a reader holds one whole version
    version, _ = open_version(link)
    assert (version / "data.bin").read_bytes() == b"two"


def test_unfinished_build_leaves_previous_index_served(tmp_path):
    link = tmp_path / "index"
    _build(link, b"one")
    half = new_version_dir(link)  # a build that dies before seal/publish
    (half / "data.bin").write_bytes(b"half-written")
    version, _ = open_version(link)
    assert (version / "data.bin").read_bytes() == b"one"


@pytest.mark.parametrize("damage", ["truncate", "bitflip", "delete"])
def test_damaged_file_is_detected_with_rebuild_hint(tmp_path, damage):
    link = tmp_path / "index"
    version = _build(link, b"0123456789" * 100)
    target = version / "data.bin"
    if damage == "truncate":
        target.write_bytes(target.read_bytes()[:10])
    elif damage == "bitflip":
        data = bytearray(target.read_bytes())
        data[500] ^= 0x01
        target.write_bytes(bytes(data))
    else:
        target.unlink()
    with pytest.raises(IndexCorruptError, match="python -m index build"):
        open_version(link)


def test_missing_index_names_the_build_command(tmp_path):
    with pytest.raises(IndexMissingError, match="python -m index build"):
        open_version(tmp_path / "nowhere")


def test_garbled_manifest(tmp_path):
    link = tmp_path / "index"
    version = _build(link, b"x")
    (version / "manifest.json").write_text("{not json")
    with pytest.raises(IndexCorruptError, match="unreadable"):
        open_version(link)


def test_old_versions_are_pruned(tmp_path):
    link = tmp_path / "index"
    for i in range(5):
        _build(link, str(i).encode())
    kept = [p for p in (tmp_path / "index.versions").iterdir() if p.is_dir()]
    assert len(kept) == 2
