"""The newcomer's supermarket walk in a real browser: a new intermediary registers and
applies for entry, the center approves it, the owner publishes a purchase and the center
approves it, four intermediaries register, the registration and selection times pass (the
server's clock is moved), the random selection is drawn and its record verifies offline,
the selected firm declines and the re-draw picks another, which confirms, uploads the
contract and the result; the owner accepts both and rates the service."""

import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from browser.steps import login, logout

from trading.accounts.rules import make_credit_code
from trading.demo import DEMO_PASSWORD

TZ = ZoneInfo("Asia/Shanghai")
TITLE = "浏览器测试：滨海大道施工图预算编制"
NEWCO = ("浏览器测试造价咨询有限公司", "browser_agency")
DEMO_FIRMS = {"正衡工程咨询有限公司": "agency1", "建诚造价咨询有限公司": "agency2",
              "海峡工程管理有限公司": "agency3"}
ROOT = Path(__file__).resolve().parents[2]


def stamp(delta: timedelta) -> str:
    return (datetime.now(TZ) + delta).strftime("%Y-%m-%d %H:%M")


def register_newco(page, base):
    page.goto(f"{base}/register")
    page.fill("input[name=name]", NEWCO[0])
    page.fill("input[name=credit_code]", make_credit_code("91350100MA8BRW001"))
    page.select_option("select[name=role]", "intermediary")
    page.fill("input[name=contact_name]", "周联系")
    page.fill("input[name=contact_phone]", "0591-87654321")
    page.fill("input[name=username]", NEWCO[1])
    page.fill("input[name=display_name]", "周联系")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.fill("input[name=password-confirm]", DEMO_PASSWORD)
    page.click("button[name=submit]")
    page.wait_for_url(f"{base}/workspace")


def apply_for_entry(page, base):
    page.goto(f"{base}/supermarket/entry")
    page.fill("input[name=licence_number]", "91350100BRW")
    page.fill("input[name=legal_representative]", "周法人")
    page.fill("input[name=name]", "吴造价师")
    page.fill("input[name=certificate_no]", "T01-BRW-1")
    page.select_option("select[name=service_type_id]", label="T01 · 工程造价咨询")
    page.fill("input[name=valid_from]", stamp(-timedelta(days=300))[:10])
    page.fill("input[name=valid_until]", stamp(timedelta(days=700))[:10])
    page.check("input[name=commitment]")
    page.fill("input[name=signed_by]", "周法人")
    page.click("button[name=submit]")
    page.wait_for_selector("text=入驻申请已提交")


def publish_purchase(page, base) -> str:
    page.goto(f"{base}/supermarket/purchases/new")
    page.fill("input[name=title]", TITLE)
    page.fill("input[name=project_name]", "滨海大道改造工程")
    page.select_option("select[name=service_type_id]", label="T01 · 工程造价咨询")
    page.get_by_label("工程造价咨询 · 施工图预算编制").check()
    page.fill("textarea[name=content]", "编制施工图预算并提交成果文件")
    page.fill("input[name=time_limit]", "20日历天")
    page.fill("input[name=fixed_fen]", "30000")
    page.fill("input[name=registration_deadline]", stamp(timedelta(days=7)))
    page.fill("input[name=selection_time]", stamp(timedelta(days=8)))
    page.click("button[name=submit]")
    page.wait_for_selector("text=草稿已保存")
    url = page.url
    page.click("button:has-text('提交审核')")
    page.wait_for_selector("text=已提交交易中心审核")
    return url


def selected_name(page) -> str:
    return page.locator("#record tr:has(strong:text('中选')) td").first.inner_text().strip()


def act_as(page, base, name, url):
    logout(page)
    login(page, base, DEMO_FIRMS.get(name, NEWCO[1]))
    page.goto(url)


def test_enter_publish_register_draw_decline_confirm_contract_result_rate(
        page, live_server, live_workdir, tmp_path):
    base, offset = live_server, live_workdir / "clock_offset"
    register_newco(page, base)
    apply_for_entry(page, base)
    logout(page)
    login(page, base, "center1")
    page.goto(f"{base}/supermarket/entries")
    page.click(f"tr:has-text('{NEWCO[0]}') a:has-text('审核')")
    page.click("button[name=approve]")
    page.wait_for_selector("text=入驻申请已通过")
    logout(page)

    login(page, base, "owner1")
    url = publish_purchase(page, base)
    logout(page)
    login(page, base, "center1")
    page.goto(url.rstrip("/") + "/review")
    page.click("button[name=approve]")
    page.wait_for_selector("text=采购公告已发布")

    for username in (NEWCO[1], "agency1", "agency2", "agency3"):
        logout(page)
        login(page, base, username)
        page.goto(url)
        assert "报名截止前不公开" in page.inner_text("main")
        page.click("form[action$='/register'] button")
        page.wait_for_selector("text=报名成功")

    try:
        offset.write_text(str(int(timedelta(days=8, hours=1).total_seconds())))
        logout(page)
        login(page, base, "center1")
        page.goto(url)
        page.click("form[action$='/run'] button")
        page.wait_for_selector("text=已处理到期步骤")
        assert "4 家报名" in page.inner_text("main")
        first = selected_name(page)
        record = page.locator("#record a:has-text('record.json')").first.get_attribute("href")
        body = page.request.get(record).body()
        verified = subprocess.run([sys.executable, "-m", "trading.draws", "verify", "-"],
                                  input=body, capture_output=True, cwd=ROOT, timeout=60)
        assert verified.returncode == 0 and b"valid" in verified.stdout, verified.stdout

        act_as(page, base, first, url)
        page.fill("form[action$='/decline'] input[name=reason]", "项目负责人临时调离")
        page.click("button:has-text('放弃中选')")
        page.wait_for_selector("text=已放弃中选")
        second = selected_name(page)
        assert second != first and "递补 1 次" in page.inner_text("#record")

        act_as(page, base, second, url)
        page.click("button:has-text('确认中选')")
        page.wait_for_selector("text=已确认中选")
        (tmp_path / "合同.pdf").write_bytes(b"%PDF-1.4 contract")
        page.set_input_files("form[action$='/contract'] input[name=file]",
                             str(tmp_path / "合同.pdf"))
        page.click("button:has-text('上传合同')")
        page.wait_for_selector("text=合同已上传")

        logout(page)
        login(page, base, "owner1")
        page.goto(url)
        page.click("button:has-text('提交合同审核意见')")
        page.wait_for_selector("text=合同审核意见已记录")

        act_as(page, base, second, url)
        (tmp_path / "预算书.pdf").write_bytes(b"%PDF-1.4 result")
        page.set_input_files("form[action$='/result'] input[name=file]",
                             str(tmp_path / "预算书.pdf"))
        page.click("button:has-text('上传服务成果')")
        page.wait_for_selector("text=服务成果已上传")

        logout(page)
        login(page, base, "owner1")
        page.goto(url)
        page.click("button:has-text('确认服务成果')")
        page.wait_for_selector("text=服务完成")
        page.select_option("select[name=timeliness]", "4")
        page.fill("input[name=comment]", "成果完整，响应及时")
        page.click("button:has-text('提交评价')")
        page.wait_for_selector("text=评价已提交")
        assert "93.75" in page.inner_text("main")
    finally:
        offset.write_text("0")
