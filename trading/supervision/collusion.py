"""Collusion signals (围标串标) over one lot's bids, as pure rules (rules §7.9).

Advisory only: a signal names the bidders and the evidence that raised it, and the
evaluation committee decides (发改法规〔2026〕195号). The checks are the legal "deemed
collusion" facts of 实施条例 Art 40 and 87号令 Art 37 (same project manager or contact;
bids abnormally identical; prices in a regular pattern) and the platform traces of the
signal catalogue (same file, same network address or device, clustered uploads).

Inputs are plain values the service gathers after the opening; nothing here does I/O.
"""

import enum
import ipaddress
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from string import Template

from ..words import N_

RULES_VERSION = "collusion-v1"
# Prices in a regular pattern: the coefficient of variation of the gaps (or of the
# step ratios) below 1 % (rules §7.9), over at least three prices.
PATTERN_CV = Fraction(1, 100)
PATTERN_MIN_PRICES = 3
# Decimal tails: the last four digits of the price in 分 (yuan units, tens and the 分),
# compared only when they are not round (x000): round prices share tails innocently.
TAIL_MODULUS = 10_000
# Submissions clustered in time: two bidders' uploads this close, from one network.
CLUSTER_WINDOW = timedelta(seconds=60)
IPV4_NETWORK, IPV6_NETWORK = 24, 64


class Level(enum.StrEnum):
    HARD = "hard"  # 硬性指标：同一文件、同一网络地址或设备
    DEEMED = "deemed"  # 视为串通：同一项目经理或联系人（实施条例第四十条）
    PATTERN = "pattern"  # 报价呈规律性差异
    SOFT = "soft"  # 提示：同一网段集中递交


class SignalKind(enum.StrEnum):
    IDENTICAL_ENVELOPE = "identical_envelope"
    IDENTICAL_OFFER = "identical_offer"
    IDENTICAL_DOCUMENT = "identical_document"
    SAME_IP = "same_ip"
    SAME_DEVICE = "same_device"
    SAME_PROJECT_MANAGER = "same_project_manager"
    SAME_CONTACT_PERSON = "same_contact_person"
    SAME_CONTACT_PHONE = "same_contact_phone"
    SAME_CONTACT_EMAIL = "same_contact_email"
    IDENTICAL_PRICE = "identical_price"
    PRICE_CONSTANT_DIFFERENCE = "price_constant_difference"
    PRICE_CONSTANT_RATIO = "price_constant_ratio"
    PRICE_IDENTICAL_TAIL = "price_identical_tail"
    CLUSTERED_SUBMISSIONS = "clustered_submissions"


K, LV = SignalKind, Level
LEVELS = {
    K.IDENTICAL_ENVELOPE: LV.HARD, K.IDENTICAL_OFFER: LV.HARD, K.IDENTICAL_DOCUMENT: LV.HARD,
    K.SAME_IP: LV.HARD, K.SAME_DEVICE: LV.HARD, K.SAME_PROJECT_MANAGER: LV.DEEMED,
    K.SAME_CONTACT_PERSON: LV.DEEMED, K.SAME_CONTACT_PHONE: LV.DEEMED,
    K.SAME_CONTACT_EMAIL: LV.DEEMED, K.IDENTICAL_PRICE: LV.PATTERN,
    K.PRICE_CONSTANT_DIFFERENCE: LV.PATTERN, K.PRICE_CONSTANT_RATIO: LV.PATTERN,
    K.PRICE_IDENTICAL_TAIL: LV.PATTERN, K.CLUSTERED_SUBMISSIONS: LV.SOFT,
}
LABELS = {
    K.IDENTICAL_ENVELOPE: N_("投标信封哈希相同"), K.IDENTICAL_OFFER: N_("开标一览表完全相同"),
    K.IDENTICAL_DOCUMENT: N_("投标文件雷同（文件哈希相同）"), K.SAME_IP: N_("同一网络地址操作"),
    K.SAME_DEVICE: N_("同一设备操作"), K.SAME_PROJECT_MANAGER: N_("项目经理相同"),
    K.SAME_CONTACT_PERSON: N_("联系人相同"), K.SAME_CONTACT_PHONE: N_("联系电话相同"),
    K.SAME_CONTACT_EMAIL: N_("联系邮箱相同"), K.IDENTICAL_PRICE: N_("投标报价相同"),
    K.PRICE_CONSTANT_DIFFERENCE: N_("报价呈等差规律"), K.PRICE_CONSTANT_RATIO: N_("报价呈等比规律"),
    K.PRICE_IDENTICAL_TAIL: N_("报价尾数相同"), K.CLUSTERED_SUBMISSIONS: N_("同一网段集中递交"),
}
LEVEL_LABELS = {LV.HARD: N_("硬性指标"), LV.DEEMED: N_("视为串通情形"), LV.PATTERN: N_("报价规律"),
                LV.SOFT: N_("提示")}


@dataclass(frozen=True)
class Trace:
    """One network event of a bidder: sign-up, download, upload or decryption share."""

    channel: str  # signup | download | submit | decrypt
    ip: str
    device: str
    at: datetime


@dataclass(frozen=True)
class BidderFacts:
    org_id: int
    name: str
    envelopes: tuple[str, ...] = ()  # SHA-256 of every version uploaded
    offer_sha256: str | None = None  # offer.json of the counted version, once opened
    documents: tuple[tuple[str, str], ...] = ()  # (name, SHA-256) once stored
    price: int | None = None  # 分, once opened
    project_manager: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    traces: tuple[Trace, ...] = ()


@dataclass(frozen=True)
class Signal:
    kind: SignalKind
    bidders: tuple[int, ...]  # org ids, ascending
    evidence: dict  # JSON-ready: what matched, where and when

    @property
    def level(self) -> Level:
        return LEVELS[self.kind]


def detect(bidders: Sequence[BidderFacts], *, known_documents: Iterable[str] = (),
           window: timedelta = CLUSTER_WINDOW) -> list[Signal]:
    """Every signal raised by one lot's bids, in a stable order.

    `known_documents` are hashes of files every bidder may legitimately include (the
    tender's own forms): matching on them is no evidence.
    """
    known = frozenset(known_documents)
    found = [
        *_identical_files(bidders, known),
        *_same_traces(bidders, "ip", K.SAME_IP),
        *_same_traces(bidders, "device", K.SAME_DEVICE),
        *_same_contacts(bidders),
        *_price_patterns(bidders),
        *_clustered(bidders, window),
    ]
    return sorted(found, key=lambda s: (list(SignalKind).index(s.kind), s.bidders,
                                        sorted(map(str, s.evidence.items()))))


def _groups(pairs: Iterable[tuple[object, int]]) -> dict:
    """value → the bidders sharing it, for values shared by at least two bidders."""
    by_value = defaultdict(set)
    for value, org_id in pairs:
        by_value[value].add(org_id)
    return {value: tuple(sorted(ids)) for value, ids in by_value.items() if len(ids) > 1}


# -- identical files --------------------------------------------------------------------


def _identical_files(bidders, known) -> list[Signal]:
    signals = [Signal(K.IDENTICAL_ENVELOPE, ids, {"sha256": digest}) for digest, ids in
               _groups((h, b.org_id) for b in bidders for h in set(b.envelopes)).items()]
    signals += [Signal(K.IDENTICAL_OFFER, ids, {"sha256": digest}) for digest, ids in
                _groups((b.offer_sha256, b.org_id) for b in bidders if b.offer_sha256).items()]
    documents = [(digest, b.org_id, name) for b in bidders for name, digest in b.documents
                 if digest and digest not in known]
    for digest, ids in _groups((d, org) for d, org, _name in documents).items():
        names = sorted({(org, name) for d, org, name in documents if d == digest})
        signals.append(Signal(K.IDENTICAL_DOCUMENT, ids, {
            "sha256": digest, "files": [{"bidder": org, "name": name} for org, name in names]}))
    return signals


# -- same address or device ---------------------------------------------------------------


def usable_ip(ip: str) -> bool:
    """Loopback and unspecified addresses are the platform itself (or a proxy that does
    not pass the client's address): they say nothing about a bidder's network."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return not (address.is_loopback or address.is_unspecified)


def _same_traces(bidders, field: str, kind: SignalKind) -> list[Signal]:
    traces = [(getattr(t, field), b.org_id, t) for b in bidders for t in b.traces
              if getattr(t, field) and (field != "ip" or usable_ip(t.ip))]
    signals = []
    for value, ids in _groups((v, org) for v, org, _t in traces).items():
        events = sorted((t.at, org, t.channel) for v, org, t in traces if v == value)
        signals.append(Signal(kind, ids, {field: value, "events": [
            {"bidder": org, "channel": channel, "at": at.isoformat()}
            for at, org, channel in events]}))
    return signals


# -- same people ----------------------------------------------------------------------------


def _normal_name(text: str) -> str:
    return "".join(text.split())


def _normal_phone(text: str) -> str:
    digits = "".join(c for c in text if c.isdigit())
    return digits if len(digits) >= 7 else ""  # fewer digits is no telephone number


CONTACTS = (
    (K.SAME_PROJECT_MANAGER, "project_manager", _normal_name),
    (K.SAME_CONTACT_PERSON, "contact_name", _normal_name),
    (K.SAME_CONTACT_PHONE, "contact_phone", _normal_phone),
    (K.SAME_CONTACT_EMAIL, "contact_email", lambda text: text.strip().lower()),
)


def _same_contacts(bidders) -> list[Signal]:
    signals = []
    for kind, field, normal in CONTACTS:
        pairs = ((normal(getattr(b, field) or ""), b.org_id) for b in bidders)
        signals += [Signal(kind, ids, {"value": value})
                    for value, ids in _groups(p for p in pairs if p[0]).items()]
    return signals


# -- prices ----------------------------------------------------------------------------------


def near_constant(values: Sequence[Fraction], limit: Fraction = PATTERN_CV) -> Fraction | None:
    """The squared coefficient of variation of `values` when below `limit`², else None.

    Exact: CV² = (m·Σv² − (Σv)²) / (Σv)², compared without any rounding.
    """
    total = sum(values, Fraction(0))
    if len(values) < 2 or total <= 0:
        return None
    spread = len(values) * sum((v * v for v in values), Fraction(0)) - total * total
    squared = spread / (total * total)
    return squared if squared < limit * limit else None


def percent(squared_cv: Fraction) -> str:
    root = (Decimal(squared_cv.numerator) / Decimal(squared_cv.denominator)).sqrt()
    return f"{root * 100:.2f}%"


def _price_patterns(bidders) -> list[Signal]:
    priced = sorted((b.price, b.org_id) for b in bidders if b.price is not None)
    signals = [Signal(K.IDENTICAL_PRICE, ids, {"price": price})
               for price, ids in _groups(priced).items()]
    tails = ((price % TAIL_MODULUS, org) for price, org in priced)
    signals += [Signal(K.PRICE_IDENTICAL_TAIL, ids, {"tail": tail, "prices": _listed(
        [(p, o) for p, o in priced if p % TAIL_MODULUS == tail])})
        for tail, ids in _groups(t for t in tails if t[0] % 1000).items()]
    distinct = sorted({price for price, _org in priced})
    if len(distinct) < PATTERN_MIN_PRICES or distinct[0] <= 0:
        return signals
    ids = tuple(sorted({org for _price, org in priced}))
    gaps = [Fraction(b - a) for a, b in zip(distinct, distinct[1:], strict=False)]
    cv = near_constant(gaps)
    if cv is not None:
        return signals + [Signal(K.PRICE_CONSTANT_DIFFERENCE, ids, {
            "prices": _listed(priced), "differences": [int(g) for g in gaps],
            "cv": percent(cv)})]
    # A geometric series is only worth its own signal when the gaps are not constant:
    # the steps of an arithmetic one have a near-constant ratio too, by consequence.
    steps = [Fraction(b - a, a) for a, b in zip(distinct, distinct[1:], strict=False)]
    cv = near_constant(steps)
    if cv is not None:
        signals.append(Signal(K.PRICE_CONSTANT_RATIO, ids, {
            "prices": _listed(priced),
            "ratios": [f"{Decimal(b) / Decimal(a):.4f}"
                       for a, b in zip(distinct, distinct[1:], strict=False)],
            "cv": percent(cv)}))
    return signals


def _listed(priced) -> list[dict]:
    return [{"bidder": org, "price": price} for price, org in priced]


# -- clustered submissions ------------------------------------------------------------------


def network_of(ip: str) -> str | None:
    if not usable_ip(ip):
        return None
    address = ipaddress.ip_address(ip)
    prefix = IPV4_NETWORK if address.version == 4 else IPV6_NETWORK
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def _clustered(bidders, window: timedelta) -> list[Signal]:
    by_network = defaultdict(list)
    for b in bidders:
        for t in b.traces:
            network = network_of(t.ip) if t.channel == "submit" else None
            if network:
                by_network[network].append((t.at, b.org_id, t.ip))
    signals = []
    for network, uploads in by_network.items():
        for run in _runs(sorted(uploads), window):
            ids = tuple(sorted({org for _at, org, _ip in run}))
            if len(ids) > 1:
                signals.append(Signal(K.CLUSTERED_SUBMISSIONS, ids, {
                    "network": network, "window_s": int(window.total_seconds()),
                    "events": [{"bidder": org, "ip": ip, "at": at.isoformat()}
                               for at, org, ip in run]}))
    return signals


def _runs(uploads, window):
    """Maximal runs of uploads each within `window` of the one before."""
    run = []
    for upload in uploads:
        if run and upload[0] - run[-1][0] > window:
            yield run
            run = []
        run.append(upload)
    if run:
        yield run


# Each event of a signal's evidence, in words (the bidder's name as ${who}).
CHANNEL_STEPS = {"signup": N_("${who}报名"), "download": N_("${who}下载招标文件"),
                 "submit": N_("${who}递交投标文件"), "decrypt": N_("${who}提交解密份额")}


def _chinese(message: str, **mapping) -> str:
    return Template(message).safe_substitute(mapping)


def describe(kind: str, evidence: dict, names: dict[int, str], word=None) -> str:
    """One sentence of evidence for the committee and supervisors; Chinese unless `word`
    (message id and its ${} mapping -> the text, a page's localizer) says otherwise."""
    word = word or _chinese

    def who(org: int) -> str:
        return names.get(org, f"#{org}")

    colon, semicolon = word("："), word("；")
    if kind in (K.SAME_IP, K.SAME_DEVICE):
        key = "ip" if kind == K.SAME_IP else "device"
        steps = semicolon.join(
            word(CHANNEL_STEPS[e["channel"]], who=who(e["bidder"]))
            if e["channel"] in CHANNEL_STEPS else f"{who(e['bidder'])}{e['channel']}"
            for e in evidence["events"])
        what = word(N_("网络地址") if key == "ip" else N_("设备指纹"))
        return f"{what} {evidence[key]}{colon}{steps}"
    if kind in (K.IDENTICAL_ENVELOPE, K.IDENTICAL_OFFER):
        return f"SHA-256 {evidence['sha256']}"
    if kind == K.IDENTICAL_DOCUMENT:
        files = semicolon.join(f"{who(f['bidder'])}「{f['name']}」" for f in evidence["files"])
        return f"SHA-256 {evidence['sha256']}{colon}{files}"
    if "value" in evidence:
        return str(evidence["value"])
    if kind == K.IDENTICAL_PRICE:
        return f"{_yuan(evidence['price'])} {word('元')}"
    if kind == K.CLUSTERED_SUBMISSIONS:
        return word(N_("网段 ${network} 内 ${seconds} 秒内递交"), network=evidence["network"],
                    seconds=evidence["window_s"]) + colon + semicolon.join(
            f"{who(e['bidder'])} {e['ip']}" for e in evidence["events"])
    prices = word(N_("，")).join(f"{who(p['bidder'])} {_yuan(p['price'])}"
                                 for p in evidence["prices"])
    if kind == K.PRICE_IDENTICAL_TAIL:
        return word(N_("尾数 ${tail}（分）"), tail=f"{evidence['tail']:04d}") + colon + prices
    return f"{prices}{word(N_('（离散系数 ${cv}）'), cv=evidence['cv'])}"


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:,.2f}"
