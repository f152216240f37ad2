"""Container words (assistant/containers.py, index/resources/containers.tsv): every entry marked, every synonym
naming an entry, a container found by any of its names, a malformed file a clear error."""
from __future__ import annotations

import pytest

from assistant import containers
from index.tokenize import ResourceError


# --- the vocabulary file ---------------------------------------------------------------------------------------------

def test_every_entry_is_marked_and_every_synonym_names_an_entry():
    table = containers.read_containers()
    assert {"container", "plan_part", "measure", "count_frame", "list_frame", "define_frame"} <= set(table)
    for rule, entries in table.items():
        words = {e.word for e in entries}
        for e in entries:
            assert e.mark in containers.MARKS, (rule, e)
            assert (e.mark == "synonym") == (e.stands_for is not None) and (e.stands_for is None or e.stands_for in words)


def test_a_container_is_found_by_its_synonyms():
    assert "框" in containers.family("专栏") and "专栏" in containers.family("框")
    assert "产业园" in containers.family("园区")
    assert containers.names_kind("三大海工船舶装备特色产业园", "园区")
    assert containers.container_of("海工船舶特色产业园") == "特色产业园"
    assert containers.container_of("研发机构") == ""
    assert containers.is_plan_part("大块") and not containers.is_plan_part("专栏")


@pytest.mark.parametrize("line, message", [
    ("container\t专栏\tgenus\n", "mark must be"),
    ("container\t框\tsynonym\t方盒\n", "stands for"),
    ("container\t专栏\tsynonym\n", "a synonym"),
    ("list_frame\t哪(几\tframe\n", "not a valid pattern"),
    ("container\t专栏\n", "expected"),
])
def test_a_malformed_vocabulary_file_is_an_error(tmp_path, line, message):
    path = tmp_path / "containers.tsv"
    path.write_text("container\t专栏\tgenre\n" + line, encoding="utf-8")
    with pytest.raises(ResourceError, match=message):
        containers.read_containers(path)
