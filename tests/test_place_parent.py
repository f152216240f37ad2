"""A held 区 written with its parent 市 ("临川市青岚区") is that plan's place; the 市 alone is still unknown."""
from assistant.query import find_cities

KNOWN = ["青岚区", "南京市", "江阴市"]


def test_parent_city_before_a_held_district_is_not_an_unknown_place():
    assert find_cities("临川市青岚区规划里一共有几个专栏？", KNOWN) == (("青岚区",), ())


def test_the_parent_city_alone_is_still_an_unknown_place():
    cities, others = find_cities("临川市的研发投入强度是多少？", KNOWN)
    assert cities == () and "临川市" in others
