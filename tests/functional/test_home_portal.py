"""The public portal (issue #18 pt 7): the home page lists the latest notices of each kind,
a search box and the open-data and verification links, and never a draft's notice."""

from factories import make_project


def test_the_home_page_lists_published_notices_and_links_the_tools(
        testapp, dbsession, clock, settings, registry):
    published = make_project(dbsession, clock, settings, registry, publish=True,
                             name="滨江路人行道改造工程")
    make_project(dbsession, clock, settings, registry, name="尚未发布的草稿项目")
    dbsession.flush()
    assert published.announcements, "publishing writes the 招标公告"
    page = testapp.get("/")
    for heading in ("招标/采购公告", "更正公告", "中标候选人公示", "中标结果公告", "流标/终止公告"):
        assert heading in page.text
    link = page.click(href=f"/projects/{published.id}/announcements/"
                           f"{published.announcements[0].id}$")
    assert "滨江路人行道改造工程" in link.text
    assert "尚未发布的草稿项目" not in page.text
    form = page.forms[[k for k, f in page.forms.items() if f.action.endswith("/projects")][0]]
    form["q"] = "滨江"
    found = form.submit()
    assert found.request.path == "/projects" and 'value="滨江"' in found.text
    for href in ("/smallworks", "/supermarket", "/draws", "/audit/checkpoints",
                 "/api/v1/ocds/releases"):
        assert f'{href}"' in page.text
    assert "<script" not in page.text


def test_a_portal_without_notices_says_so(testapp):
    assert "暂无" in testapp.get("/").text
