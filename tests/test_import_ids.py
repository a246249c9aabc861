"""Ids suggested from names (pinyin), short and unique within the unit; None when the name spells nothing."""

from __future__ import annotations

from generator.importing.ids import MAX_LENGTH, suggest, unique


def test_unit_ids_leave_out_the_party_prefix_and_place_names():
    assert suggest("中共攀枝花市仁和区委社会工作部", unit=True) == "renhe-quwei-shehui-gongzuobu"


def test_project_ids_are_short_words_without_filler():
    slug = suggest("区社会工作综合服务中心3名社工经费")
    assert slug is not None and len(slug) <= MAX_LENGTH and slug.startswith("qu-shehuigongzuo")
    assert suggest("村（社区）常职干部及社工绩效经费") == "cun-shequ-changzhi-ganbu"


def test_ids_are_unique_within_the_unit():
    assert suggest("社区工作者薪酬", taken={"shequ-gongzuozhe-xinchou"}) == "shequ-gongzuozhe-xinchou-2"
    assert unique("a", {"a", "a-2"}) == "a-3"


def test_a_name_without_anything_to_spell_gets_no_id():
    assert suggest("——（）") is None


def test_the_same_name_gives_the_same_id_whatever_dictionary_the_process_loaded():
    import jieba

    before = suggest("社区工作者薪酬")
    jieba.add_word("社区工作者")
    try:
        assert suggest("社区工作者薪酬") == before == "shequ-gongzuozhe-xinchou"
    finally:
        jieba.del_word("社区工作者")
