"""What kind of procedure a project is: data, not forked code (architecture §5)."""

import enum

from ..words import N_


class ProjectType(enum.StrEnum):
    WORKS = "works"  # 工程招标
    GOVERNMENT_PROCUREMENT = "government_procurement"  # 政府采购
    SMALL_WORKS = "small_works"  # 小额工程
    INTERMEDIARY_SERVICE = "intermediary_service"  # 中介服务


class Regime(enum.StrEnum):
    TENDERING = "tendering"  # 招标投标法体系
    GOVERNMENT_PROCUREMENT = "government_procurement"  # 政府采购法体系


class ObjectType(enum.StrEnum):
    WORKS = "works"  # 工程
    GOODS = "goods"  # 货物
    SERVICES = "services"  # 服务


class ProcurementMethod(enum.StrEnum):
    OPEN_TENDER = "open_tender"  # 公开招标
    INVITED_TENDER = "invited_tender"  # 邀请招标
    COMPETITIVE_CONSULTATION = "competitive_consultation"  # 竞争性磋商
    FINAL_OFFER = "final_offer"  # 终次报价
    SMALL_WORKS = "small_works"  # 小额工程
    INTERMEDIARY = "intermediary"  # 中介服务


class EvaluationMethod(enum.StrEnum):
    COMPREHENSIVE = "comprehensive"  # 综合评分法
    LOWEST_PRICE = "lowest_price"  # 最低评标价法 / 最低价
    REASONABLE_LOW_PRICE = "reasonable_low_price"  # 合理低价法


class AwardMethod(enum.StrEnum):
    RANK_ONE = "rank_one"  # 排名第一为中标人
    SEPARATED = "separated"  # 评定分离


class CustodyMode(enum.StrEnum):
    AUTO = "auto"  # 平台托管：平台可在开标前解密（只作为明示选择）
    CUSTODIANS = "custodians"  # 多人分持密钥（k-of-n）
    DUAL = "dual"  # 不见面开标：投标人自行解密


class CryptoSuite(enum.StrEnum):
    """The envelope's cipher suite (bid_crypto FORMAT.md §3); chosen per project."""

    X25519 = "x25519"  # HPKE X25519 + AES-256-GCM (国际算法)
    XWING = "xwing"  # X-Wing: ML-KEM-768 + X25519 (抗量子混合)
    SM2 = "sm2"  # 国密: SM2 + SM3 + SM4-GCM, SM2 signatures
    SM2MLKEM = "sm2mlkem"  # 国密抗量子: SM2 + ML-KEM-768, SM3, SM4-GCM, SM2 signatures


LABELS = {
    ProjectType.WORKS: N_("工程招标"), ProjectType.GOVERNMENT_PROCUREMENT: N_("政府采购"),
    ProjectType.SMALL_WORKS: N_("小额工程"), ProjectType.INTERMEDIARY_SERVICE: N_("中介服务"),
    Regime.TENDERING: N_("招标投标"), Regime.GOVERNMENT_PROCUREMENT: N_("政府采购"),
    ObjectType.WORKS: N_("工程"), ObjectType.GOODS: N_("货物"), ObjectType.SERVICES: N_("服务"),
    ProcurementMethod.OPEN_TENDER: N_("公开招标"), ProcurementMethod.INVITED_TENDER: N_("邀请招标"),
    ProcurementMethod.COMPETITIVE_CONSULTATION: N_("竞争性磋商"),
    ProcurementMethod.FINAL_OFFER: N_("终次报价"), ProcurementMethod.SMALL_WORKS: N_("小额工程"),
    ProcurementMethod.INTERMEDIARY: N_("中介服务"),
    EvaluationMethod.COMPREHENSIVE: N_("综合评分法"), EvaluationMethod.LOWEST_PRICE: N_("最低价法"),
    EvaluationMethod.REASONABLE_LOW_PRICE: N_("合理低价法"),
    AwardMethod.RANK_ONE: N_("排名第一中标"), AwardMethod.SEPARATED: N_("评定分离"),
    CustodyMode.AUTO: N_("平台托管（平台可在开标前解密）"),
    CustodyMode.CUSTODIANS: N_("多人分持密钥"),
    CustodyMode.DUAL: N_("不见面开标（投标人解密）"),
    CryptoSuite.X25519: N_("国际算法（X25519、AES-256-GCM，Ed25519签名）"),
    CryptoSuite.XWING: N_("抗量子混合（X-Wing：ML-KEM-768 + X25519）"),
    CryptoSuite.SM2: N_("国密（SM2、SM3、SM4-GCM，SM2签名）"),
    CryptoSuite.SM2MLKEM: N_("国密抗量子混合（SM2 + ML-KEM-768，SM3、SM4-GCM，SM2签名）"),
}

# The regime follows from the project type (rules §0.2): keep the two legal systems apart.
REGIME_OF = {
    ProjectType.WORKS: Regime.TENDERING,
    ProjectType.SMALL_WORKS: Regime.TENDERING,
    ProjectType.GOVERNMENT_PROCUREMENT: Regime.GOVERNMENT_PROCUREMENT,
    ProjectType.INTERMEDIARY_SERVICE: Regime.GOVERNMENT_PROCUREMENT,
}
