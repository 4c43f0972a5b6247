"""The kinds of 站内消息, each with its Chinese label (English in the catalogue)."""

import enum

from ..i18n import N_


class MessageKind(enum.StrEnum):
    EXPERT_SEAT = "expert_seat"  # 评标专家抽中
    AWARD_SEAT = "award_seat"  # 定标委员会成员抽中
    SIGNUP_OPEN = "signup_open"  # 报名开始
    BID_DEADLINE = "bid_deadline"  # 投标截止临近
    OPENING_RESULT = "opening_result"  # 开标结果 (to the bidders)
    BIDS_OPENED = "bids_opened"  # 开标完成 (to the owner)
    REPORT_READY = "report_ready"  # 评标报告已生成 (to the owner)
    INTERMEDIARY_SELECTED = "intermediary_selected"  # 中介超市中选
    SMALLWORK_DRAWN = "smallwork_drawn"  # 小额工程抽中
    REVIEW_QUEUE = "review_queue"  # 待审核 (to the center)
    SUPERVISION_ALERT = "supervision_alert"  # 电子监察预警
    SYSTEM = "platform_notice"  # 系统通知


LABELS = {
    MessageKind.EXPERT_SEAT: N_("评标专家抽取通知"),
    MessageKind.AWARD_SEAT: N_("定标委员会抽取通知"),
    MessageKind.SIGNUP_OPEN: N_("报名开始"),
    MessageKind.BID_DEADLINE: N_("投标截止提醒"),
    MessageKind.OPENING_RESULT: N_("开标结果"),
    MessageKind.BIDS_OPENED: N_("开标完成"),
    MessageKind.REPORT_READY: N_("评标报告已生成"),
    MessageKind.INTERMEDIARY_SELECTED: N_("中介超市中选通知"),
    MessageKind.SMALLWORK_DRAWN: N_("小额工程抽取通知"),
    MessageKind.REVIEW_QUEUE: N_("待审核事项"),
    MessageKind.SUPERVISION_ALERT: N_("电子监察预警"),
    MessageKind.SYSTEM: N_("系统通知"),
}


def label(kind: str) -> str:
    try:
        return LABELS[MessageKind(kind)]
    except ValueError:
        return N_("系统消息")
