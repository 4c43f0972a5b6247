"""Chinese full-text search: the n-gram tokenizer, the index on both databases, the
listing's relevance order and highlighting, and the cached template labels."""

import pytest
import sqlalchemy as sa
from factories import actor_for, make_project, make_user, project_service
from hypo import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trading.accounts.models import Role
from trading.projects import fulltext
from trading.projects.search import parse_criteria, search

# Titles as people write them: common hanzi, Latin letters, digits, punctuation, spaces.
TITLE_CHARS = st.sampled_from(
    list("污水管网道路桥梁学校医院公园照明绿化设备改造维修新建扩建区县市镇村一二三")
    + list("abcXYZ0129") + list(" -（）()、，/<>&\"'")
)
TITLES = st.text(TITLE_CHARS, min_size=1, max_size=24)


# --- the pure functions ------------------------------------------------------------------


def test_tokens_are_each_runs_bigrams_then_its_characters():
    assert fulltext.tokens("污水管网") == ["污水", "水管", "管网", "污", "水", "管", "网"]
    assert fulltext.tokens("YG-2026（a）") == ["yg", "y", "g", "20", "02", "26", "2", "0",
                                              "2", "6", "a"]
    assert fulltext.tokens("— ，") == []


def test_a_query_asks_for_characters_alone_and_longer_runs_as_bigram_phrases():
    assert fulltext.query_terms("桥") == [("桥",)]
    assert fulltext.query_terms("污水管 桥 桥") == [("污水", "水管"), ("桥",)]
    assert fulltext.query_terms("，，") == []
    assert fulltext.fts5_query([("污水", "水管"), ("桥",)]) == '"污水 水管" AND "桥"'
    assert fulltext.tsquery_literal([("污水", "水管"), ("桥",)]) == "('污水' <-> '水管') & ('桥')"


def test_relevance_tiers_are_name_then_number_then_the_rest():
    assert fulltext.fts5_tiers([("桥",)]) == [
        '({name} : ("桥"))', '({number} : ("桥") NOT {name} : ("桥"))',
        '(("桥") NOT {name} : ("桥") NOT {number} : ("桥"))']
    assert fulltext.tsquery_tiers([("桥",)]) == [
        "(('桥':A))", "(('桥':B)) & !(('桥':A))", "(('桥')) & !(('桥':A)) & !(('桥':B))"]
    assert (fulltext.fts5_tiers([("桥",)], ["xtworks"])[0]
            == '({name} : ("桥")) AND {facets} : "xtworks"')


def test_facets_are_long_tokens_no_text_token_can_equal():
    mine = fulltext.facets(project_type="small_works", status="bidding", method="open_tender",
                           region="鼓楼区")
    assert mine[:3] == ("xtsmallworks", "xsbidding", "xmopentender")
    assert mine[3].startswith("xr") and len(mine[3]) == 18
    assert fulltext.facets(status="bidding", region=None) == ("xsbidding",)
    assert fulltext.facets(region="") != fulltext.facets(region="鼓楼区")
    assert all(len(token) <= 2 for token in fulltext.tokens("xtsmallworks 鼓楼区"))


def test_highlight_marks_every_occurrence_and_keeps_the_text_whole():
    pieces = fulltext.highlight("鼓楼区污水管网污水", "污水 区")
    assert pieces == [("鼓楼", False), ("区污水", True), ("管网", False), ("污水", True)]
    assert "".join(piece for piece, _hit in pieces) == "鼓楼区污水管网污水"
    assert fulltext.highlight("Road A", "road") == [("Road", True), (" A", False)]


@given(st.text(st.sampled_from(list("ΣσςΑαİiIAaßẞﬃΩ污水 -") + [chr(0x10400)]), max_size=12))
@settings(max_examples=examples(300))
def test_fold_is_each_character_folded(text):
    """fold() lowers the whole text in one call: the same as _fold on each character, even
    where str.lower differs (a longer lower case, the final sigma)."""
    assert fulltext.fold(text) == "".join(map(fulltext._fold, text))


def test_highlight_html_escapes_the_name_and_the_match():
    html = str(fulltext.highlight_html("<script>alert(1)</script>污水&", "污水 script"))
    assert html == ("&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;"
                    "<mark>污水</mark>&amp;")
    assert str(fulltext.highlight_html("<b>", "")) == "&lt;b&gt;"
    assert str(fulltext.highlight_html("<b>", "污水")) == "&lt;b&gt;"  # no match
    assert str(fulltext.highlight_html("", "污水")) == ""


def test_the_tsvector_literal_quotes_and_weights_each_column():
    doc = fulltext.Document.of(1, "污水", "YG-1", ["一标段"], [("公告", "正文")])
    literal = fulltext.tsvector_literal(doc)
    assert literal.startswith("'污水':1A '污':2A '水':3A 'yg':5B")
    assert fulltext._quote("a'b\\") == "'a''b\\\\'"


# --- the property: every 1- and 2-character substring is found ---------------------------


def _found(conn, doc: fulltext.Document, query: str) -> bool:
    terms = fulltext.query_terms(query)
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"DELETE FROM {fulltext.TABLE}")
        fulltext.write(conn, [doc])
        return conn.execute(sa.text(f"SELECT rowid FROM {fulltext.TABLE} "
                                    f"WHERE {fulltext.TABLE} MATCH :q"),
                            {"q": fulltext.fts5_query(terms)}).first() is not None
    return conn.execute(sa.text("SELECT CAST(:doc AS tsvector) @@ CAST(:q AS tsquery)"),
                        {"doc": fulltext.tsvector_literal(doc),
                         "q": fulltext.tsquery_literal(terms)}).scalar()


def _short_substrings(title: str) -> set[str]:
    subs = {title[i:i + n] for n in (1, 2) for i in range(len(title) - n + 1)}
    return {s for s in subs if any(c.isalnum() for c in s)}


def _check_every_short_substring(conn, title: str, place: str) -> None:
    if place == "notices":
        doc = fulltext.Document.of(7, "", "", [], [(title, "")])
    else:
        doc = fulltext.Document(7, **{"name": "", "number": "", "notices": "", place: title})
    for sub in _short_substrings(title):
        assert _found(conn, doc, sub), (title, sub)
        assert _found(conn, doc, sub.upper()), (title, sub.upper())


@settings(max_examples=examples(100), deadline=None)
@given(title=TITLES, place=st.sampled_from(["name", "number", "notices"]))
def test_every_short_substring_of_a_title_is_found_by_fts5(title, place):
    engine = sa.create_engine("sqlite://")
    with engine.begin() as conn:
        fulltext.create_table(conn)
        _check_every_short_substring(conn, title, place)
    engine.dispose()


@pytest.fixture
def postgresql(dbengine):
    if dbengine.dialect.name != "postgresql":
        pytest.skip("SQLite's FTS5 is checked above; this is the tsvector side")
    return dbengine


@settings(max_examples=examples(100), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TITLES, place=st.sampled_from(["name", "number", "notices"]))
def test_every_short_substring_of_a_title_is_found_by_the_tsvector(postgresql, title, place):
    with postgresql.connect() as conn:
        _check_every_short_substring(conn, title, place)


def test_a_longer_word_needs_its_characters_adjacent():
    engine = sa.create_engine("sqlite://")
    with engine.begin() as conn:
        fulltext.create_table(conn)
        doc = fulltext.Document.of(1, "污水处理厂管网", "", [], [])
        assert _found(conn, doc, "污水处理")
        assert not _found(conn, doc, "污水管网")  # both bigrams pairs exist, not adjacent
        assert _found(conn, doc, "污水 管网")  # two words: both somewhere


# --- the service keeps the index, the listing ranks and highlights --------------------------


def _ids(dbsession, q: str, **params) -> list[int]:
    return [p.id for p in search(dbsession, parse_criteria({"q": q, **params})).items]


def test_the_project_service_indexes_names_lots_and_notices(dbsession, clock, settings,
                                                            registry):
    project = make_project(dbsession, clock, settings, registry, name="滨江排涝泵站改造",
                           lots=(("泵房土建", 1_000_000_00, None),), publish=True)
    assert _ids(dbsession, "泵站") == [project.id]
    assert _ids(dbsession, "涝") == [project.id]
    assert _ids(dbsession, "泵房") == [project.id]  # a lot's name
    assert _ids(dbsession, project.number) == [project.id]
    assert _ids(dbsession, "站泵") == []
    center = make_user(dbsession, clock, settings, role=Role.CENTER)
    service = project_service(dbsession, clock, registry)
    service.publish_clarification(project, title="关于格栅井的澄清", body="增加格栅井",
                                  affects_bids=False, new_deadline=None,
                                  actor=actor_for(center))
    assert _ids(dbsession, "格栅井") == [project.id]


def test_only_public_projects_are_indexed_with_their_last_draft(dbsession, clock, settings,
                                                                   registry):
    from factories import project_input

    project = make_project(dbsession, clock, settings, registry, name="旧名称水闸")
    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    service = project_service(dbsession, clock, registry)
    service.update_draft(project, project_input(clock, name="新名称船闸"), actor=actor_for(owner))
    assert _index_matches(dbsession, "船闸") == []  # a draft is nobody's business yet
    service.submit_for_review(project, actor=actor_for(owner))
    assert _index_matches(dbsession, "船闸") == []
    service.approve(project, actor=actor_for(make_user(dbsession, clock, settings,
                                                       role=Role.CENTER)))
    assert _index_matches(dbsession, "船闸") == [project.id]
    assert _index_matches(dbsession, "水闸") == []


def _index_matches(dbsession, q: str) -> list[int]:
    terms = fulltext.query_terms(q)
    if fulltext.dialect(dbsession) == "sqlite":
        sql = f"SELECT rowid FROM {fulltext.TABLE} WHERE {fulltext.TABLE} MATCH :q"
        value = fulltext.fts5_query(terms)
    else:
        sql = f"SELECT project_id FROM {fulltext.TABLE} WHERE document @@ CAST(:q AS tsquery)"
        value = fulltext.tsquery_literal(terms)
    return [row[0] for row in dbsession.execute(sa.text(sql), {"q": value})]


def test_relevance_puts_a_name_match_before_a_notice_match(dbsession, clock, settings,
                                                           registry):
    in_lot = make_project(dbsession, clock, settings, registry, name="城区道路白改黑",
                         lots=(("沥青摊铺机租赁", 1_000_000_00, None),), publish=True)
    clock.advance(minutes=5)
    in_name = make_project(dbsession, clock, settings, registry, name="沥青拌合站搬迁",
                           publish=True)
    assert _ids(dbsession, "沥青") == [in_name.id, in_lot.id]
    assert _ids(dbsession, "沥青", per_page="1", page="2") == [in_lot.id]
    assert _ids(dbsession, "沥青", type="works") == [in_name.id, in_lot.id]
    assert _ids(dbsession, "沥青", type="government_procurement") == []
    assert _ids(dbsession, "沥青", region=in_lot.region, budget_min="1") == [in_name.id,
                                                                             in_lot.id]
    assert _ids(dbsession, "沥青", region="别处") == []
    assert _ids(dbsession, "沥青", sort="oldest") == [in_lot.id, in_name.id]
    page = search(dbsession, parse_criteria({"q": "沥青"}))
    assert (page.sort, page.query) == ("relevance", "沥青")
    assert search(dbsession, parse_criteria({"sort": "relevance"})).sort == "newest"


def test_the_status_facet_follows_each_transition(dbsession, clock, settings, registry):
    project = make_project(dbsession, clock, settings, registry, name="渡口码头维修",
                           publish=True)
    assert project.status == "published"
    assert _ids(dbsession, "码头", status="published") == [project.id]
    clock.set(project.doc_start)
    project_service(dbsession, clock, registry).advance(project)
    assert project.status == "bidding"
    assert _ids(dbsession, "码头", status="published") == []
    assert _ids(dbsession, "码头", status="bidding", sort="newest") == [project.id]


def test_the_listing_highlights_and_escapes(testapp, dbsession, clock, settings, registry):
    make_project(dbsession, clock, settings, registry,
                 name="<script>alert(1)</script>雨污分流", publish=True)
    page = testapp.get("/projects", {"q": "雨污"})
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<mark>雨污</mark>分流" in page.text
    assert "<script>alert" not in page.text
    assert '<option value="relevance" selected>' in page.text
    api = testapp.get("/api/v1/projects", {"q": "雨污"}).json
    assert [item["name"] for item in api["items"]] == ["<script>alert(1)</script>雨污分流"]


def test_a_keyword_counts_to_its_cap_and_pages_on_past_it(dbsession, clock, settings,
                                                           registry, monkeypatch):
    from trading.projects import search as listing

    monkeypatch.setattr(listing, "KEYWORD_COUNT_CAP", 2)
    made = [make_project(dbsession, clock, settings, registry, name=f"封顶计数{i}",
                         publish=True) for i in range(4)]
    newest_first = [p.id for p in reversed(made)]
    for sort in ("relevance", "newest"):
        page = search(dbsession, parse_criteria({"q": "封顶", "sort": sort, "per_page": "3"}))
        assert (page.total, page.capped, page.pages) == (3, True, 1)
        assert [p.id for p in page.items] == newest_first[:3]
        deeper = search(dbsession, parse_criteria({"q": "封顶", "sort": sort,
                                                   "per_page": "3", "page": "2"}))
        assert [p.id for p in deeper.items] == newest_first[3:]


def test_a_keyword_of_punctuation_only_filters_nothing(dbsession, clock, settings, registry):
    make_project(dbsession, clock, settings, registry, name="标点测试项目", publish=True)
    page = search(dbsession, parse_criteria({"q": "（）——"}))
    assert page.total >= 1 and page.query == "" and page.sort == "newest"


# --- labels translated once per locale ------------------------------------------------------


def test_template_labels_are_cached_per_locale(testapp):
    english = testapp.get("/projects", {"_LOCALE_": "en"})
    assert "Projects" in english.text and ">Relevance</option>" in english.text
    chinese = testapp.get("/projects")
    assert "交易项目" in chinese.text and "Projects</h1>" not in chinese.text
    localizers = testapp.app.registry.getUtilitiesFor(
        __import__("pyramid.interfaces", fromlist=["ILocalizer"]).ILocalizer)
    caches = {name: loc.__dict__.get("trading_labels", {}) for name, loc in localizers}
    assert caches["en"]["交易项目"] == "Projects"
    assert caches["zh_CN"]["交易项目"] == "交易项目"
