"""One status-machine pattern (issue #22 pt 5): every status column has a literal table in
a `StatusMachines` (trading.transitions), and exactly one writer per table sets it, after
`check_transition`. Checked in the source: an assignment to ``<x>.status`` / ``<x>.state``
(a plain, tuple, augmented or annotated one, setattr with the name or in a loop over
names that holds it, or a bulk ``update(...).values(status=...)``) anywhere in trading/
outside its table's registered writer fails, naming the file, line and function. Giving
the value at construction (``Bid(state=...)``) is not an assignment and stays allowed.
"""

import ast
import functools
from pathlib import Path

import pytest
import source_trees
import sqlalchemy as sa
from status_support import every_pair, reachable

from trading import errors
from trading.bidding import status as bidding_status
from trading.bidding.models import BidState, LineStatus, OpeningState
from trading.bidsecurity import status as bidsecurity_status
from trading.bidsecurity.models import ForfeitureStatus, RefundStatus, SecurityStatus
from trading.bidsecurity.rules import PaymentState
from trading.db.meta import Base
from trading.draws import status as draws_status
from trading.draws.models import DrawStatus
from trading.evaluation import status as evaluation_status
from trading.evaluation.models import (
    CommitteeStatus,
    ExpertStatus,
    MemberState,
    ReportState,
    SheetState,
)
from trading.intermediaries import status as intermediaries_status
from trading.intermediaries.status import EntryStatus, PurchaseStatus
from trading.projects import status as projects_status
from trading.projects.status import ProjectStatus
from trading.rounds import status as rounds_status
from trading.rounds.models import RoundState
from trading.smallworks import status as smallworks_status
from trading.smallworks.status import AllocationStatus, RegistryStatus
from trading.transitions import InvalidTransition, StatusMachines

ROOT = Path(__file__).resolve().parents[1]
TRADING = ROOT / "trading"
# The attribute names that hold a status on a model.
STATUS_ATTRIBUTES = frozenset({"status", "state"})

MACHINES: list[StatusMachines] = [
    projects_status.MACHINES, draws_status.MACHINES, bidding_status.MACHINES,
    evaluation_status.MACHINES, bidsecurity_status.MACHINES, rounds_status.MACHINES,
    smallworks_status.MACHINES, intermediaries_status.MACHINES,
]

# The one writer of each table: (file under trading/, function's qualified name).
WRITERS = {
    ProjectStatus: ("projects/service.py", "ProjectService.transition"),
    DrawStatus: ("draws/services.py", "DrawService._move"),
    BidState: ("bidding/service.py", "BidService._move"),
    OpeningState: ("bidding/opening.py", "OpeningService._move"),
    LineStatus: ("bidding/opening.py", "OpeningService._move_line"),
    RegistryStatus: ("smallworks/service.py", "SmallWorksService._move_entry"),
    AllocationStatus: ("smallworks/service.py", "SmallWorksService._move"),
    EntryStatus: ("intermediaries/service.py", "IntermediaryService._entry_to"),
    PurchaseStatus: ("intermediaries/service.py", "IntermediaryService._to"),
    ExpertStatus: ("evaluation/committee.py", "ExpertPoolService.set_status"),
    CommitteeStatus: ("evaluation/committee.py", "move_committee"),
    MemberState: ("evaluation/committee.py", "EvaluationCommitteeService._move_member"),
    SheetState: ("evaluation/scoring.py", "move_sheet"),
    ReportState: ("evaluation/service.py", "EvaluationWork._move_report"),
    PaymentState: ("bidsecurity/service.py", "BidSecurityService._classify"),
    SecurityStatus: None,  # written when the opening checks the bid, never changed
    RefundStatus: ("bidsecurity/service.py", "BidSecurityService._move_refund"),
    ForfeitureStatus: ("bidsecurity/service.py", "BidSecurityService._move_forfeiture"),
    RoundState: ("rounds/service.py", "SealedRounds._move"),
}

# Where a row starts; every status must be reachable from it (the statuses a row may be
# created in directly are listed too: a line is created pending, or not opened at all).
INITIAL = {
    ProjectStatus: {ProjectStatus.DRAFT},
    DrawStatus: {DrawStatus.FROZEN},
    BidState: {BidState.SUBMITTED},
    OpeningState: {OpeningState.WAITING},
    LineStatus: {LineStatus.PENDING},
    RegistryStatus: {RegistryStatus.APPLIED},
    AllocationStatus: {AllocationStatus.DRAFT},
    EntryStatus: {EntryStatus.REGISTERED},
    PurchaseStatus: {PurchaseStatus.DRAFT},
    ExpertStatus: {ExpertStatus.ACTIVE},
    CommitteeStatus: {CommitteeStatus.FORMING},
    MemberState: {MemberState.RESERVE, MemberState.NOTIFIED, MemberState.ACCEPTED},
    SheetState: {SheetState.DRAFT},
    ReportState: {ReportState.SIGNING},
    PaymentState: set(PaymentState),  # empty until reconciled, then one of them for good
    SecurityStatus: set(SecurityStatus),
    RefundStatus: {RefundStatus.WAITING, RefundStatus.DUE},
    ForfeitureStatus: {ForfeitureStatus.PROPOSED},
    RoundState: {RoundState.ELIGIBILITY},
}


def _tables() -> dict:
    tables = {}
    for machines in MACHINES:
        for enum_cls, table in machines.tables.items():
            assert enum_cls not in tables, f"{enum_cls.__name__} has two tables"
            tables[enum_cls] = table
    return tables


TABLES = _tables()


# -- the tables ----------------------------------------------------------------------------


def test_every_status_column_has_a_table_and_a_writer():
    import trading.db.all  # noqa: F401 - every mapper, so the walk below sees them all

    missing = []
    for mapper in Base.registry.mappers:
        for column in mapper.columns:
            enum_cls = getattr(column.type, "enum_class", None)
            if column.key in STATUS_ATTRIBUTES and isinstance(column.type, sa.Enum):
                if enum_cls not in TABLES or enum_cls not in WRITERS:
                    missing.append(f"{mapper.class_.__name__}.{column.key} ({enum_cls})")
    assert not missing, f"status columns without a table or a writer: {missing}"
    assert set(WRITERS) == set(TABLES) == set(INITIAL)


@pytest.mark.parametrize("enum_cls", list(TABLES), ids=lambda e: e.__name__)
def test_table_has_every_member_as_a_key_and_only_members_as_targets(enum_cls):
    table = TABLES[enum_cls]
    assert set(table) == set(enum_cls)
    for source, targets in table.items():
        assert isinstance(targets, frozenset)
        assert targets <= set(enum_cls), f"{source} leads outside {enum_cls.__name__}"


@pytest.mark.parametrize("enum_cls", list(TABLES), ids=lambda e: e.__name__)
def test_every_status_is_reachable_from_where_a_row_starts(enum_cls):
    seen = set()
    for start in INITIAL[enum_cls]:
        seen |= reachable(TABLES[enum_cls], start)
    assert seen == set(enum_cls), f"unreachable: {set(enum_cls) - seen}"


@pytest.mark.parametrize("enum_cls", list(TABLES), ids=lambda e: e.__name__)
def test_a_move_off_the_table_is_a_409_domain_error(enum_cls):
    machines = next(m for m in MACHINES if enum_cls in m.tables)
    for current, target in every_pair(enum_cls):
        if target in TABLES[enum_cls][current]:
            machines.check_transition(current, target)
            continue
        with pytest.raises(InvalidTransition) as caught:
            machines.check_transition(current, target)
        assert isinstance(caught.value, errors.DomainError)
        assert caught.value.status == 409 and caught.value.code == "invalid_transition"


# -- the writers ---------------------------------------------------------------------------


class _Assignments(ast.NodeVisitor):
    """(line, function's qualified name, target) of every write to a status attribute."""

    def __init__(self):
        self.scope: list[str] = []
        self.found: list[tuple[int, str, str]] = []
        self.calls: dict[str, set[str]] = {}

    def _enter(self, node):
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _enter

    def _note(self, node, target: ast.expr):
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._note(node, element)
        elif isinstance(target, ast.Starred):
            self._note(node, target.value)
        elif isinstance(target, ast.Attribute) and target.attr in STATUS_ATTRIBUTES:
            self.found.append((node.lineno, ".".join(self.scope), ast.unparse(target)))

    def visit_Assign(self, node):
        for target in node.targets:
            self._note(node, target)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._note(node, node.target)
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        if node.value is not None:
            self._note(node, node.target)
        self.generic_visit(node)

    def visit_For(self, node):
        """``for name in ("title", "status"): setattr(row, name, ...)`` writes a status too."""
        names = {e.value for e in getattr(node.iter, "elts", ()) if isinstance(e, ast.Constant)}
        setattrs = [c for c in ast.walk(node) if isinstance(c, ast.Call)
                    and getattr(c.func, "id", "") == "setattr"]
        if names & STATUS_ATTRIBUTES and setattrs:
            self.found.append((node.lineno, ".".join(self.scope), ast.unparse(setattrs[0])))
        self.generic_visit(node)

    def visit_Call(self, node):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else \
            getattr(node.func, "id", "")
        self.calls.setdefault(".".join(self.scope), set()).add(name)
        if name == "setattr" and len(node.args) >= 2 \
                and isinstance(node.args[1], ast.Constant) \
                and node.args[1].value in STATUS_ATTRIBUTES:
            self.found.append((node.lineno, ".".join(self.scope), ast.unparse(node)))
        if name == "values" and {k.arg for k in node.keywords} & STATUS_ATTRIBUTES:
            self.found.append((node.lineno, ".".join(self.scope), ast.unparse(node)))
        self.generic_visit(node)


@functools.cache
def _scan() -> dict[str, _Assignments]:
    """Run by the tests that need it, once: at import it cost every worker's collection."""
    scanned = {}
    for path in sorted(TRADING.rglob("*.py")):
        visitor = _Assignments()
        visitor.visit(source_trees.tree(path))
        scanned[path.relative_to(TRADING).as_posix()] = visitor
    return scanned


def test_a_status_is_assigned_only_by_its_tables_writer():
    writers = set(filter(None, WRITERS.values()))
    strays = [f"trading/{path}:{line} {function or '<module>'}: {target} = ..."
              for path, visitor in _scan().items()
              for line, function, target in visitor.found
              if (path, function) not in writers]
    assert not strays, "status written outside its table's writer (use the writer):\n" + \
        "\n".join(strays)


@pytest.mark.parametrize("enum_cls", [e for e, w in WRITERS.items() if w],
                         ids=lambda e: e.__name__)
def test_each_writer_sets_its_status_once_after_check_transition(enum_cls):
    path, function = WRITERS[enum_cls]
    visitor = _scan()[path]
    writes = [found for found in visitor.found if found[1] == function]
    assert len(writes) == 1, f"{path} {function} writes a status {len(writes)} times"
    assert "check_transition" in visitor.calls.get(function, set()) or \
        "_check_move" in visitor.calls.get(function, set()), \
        f"{path} {function} sets the status without check_transition"


def test_the_scan_sees_every_kind_of_write():
    source = (
        "class S:\n"
        "    def f(self, bid, row, db):\n"
        "        bid.state = 'withdrawn'\n"
        "        row.opened, row.status = 1, 'due'\n"
        "        row.status += ''\n"
        "        row.state: str = 'x'\n"
        "        setattr(row, 'status', 'x')\n"
        "        for name in ('title', 'status'):\n"
        "            setattr(row, name, 1)\n"
        "        db.execute(update(T).values(status='x'))\n"
        "        row.status_reason = row.state_of = T(status='x')\n"
    )
    visitor = _Assignments()
    visitor.visit(ast.parse(source))
    assert [line for line, function, _ in visitor.found] == [3, 4, 5, 6, 7, 8, 10]
    assert {function for _, function, _ in visitor.found} == {"S.f"}


def test_one_writer_per_table():
    writers = [w for w in WRITERS.values() if w]
    assert len(set(writers)) == len(writers)


# -- each writer refuses a move off its table and changes nothing -------------------------


def _writers():
    from trading.bidding.models import Bid, Opening, OpeningLine
    from trading.bidding.opening import OpeningService
    from trading.bidding.service import BidService
    from trading.bidsecurity.models import BankNotification, Forfeiture, Refund
    from trading.bidsecurity.service import BidSecurityService
    from trading.draws.models import Draw
    from trading.draws.services import DrawService
    from trading.evaluation.committee import EvaluationCommitteeService, move_committee
    from trading.evaluation.models import Committee, CommitteeMember, EvaluationReport, ScoreSheet
    from trading.evaluation.scoring import move_sheet
    from trading.evaluation.service import EvaluationWork
    from trading.rounds.models import FinalOfferRound
    from trading.rounds.service import SealedRounds

    # (writer, model, attribute, a status, a move the table refuses from it, one it allows)
    return [
        (DrawService._move, Draw, "status", DrawStatus.REVEALED, DrawStatus.COMMITTED, None),
        (DrawService._move, Draw, "status", DrawStatus.FROZEN, DrawStatus.REVEALED,
         DrawStatus.COMMITTED),
        (BidService._move, Bid, "state", BidState.WITHDRAWN, BidState.WITHDRAWN,
         BidState.SUBMITTED),
        (OpeningService._move, Opening, "state", OpeningState.DONE, OpeningState.WAITING, None),
        (OpeningService._move_line, OpeningLine, "status", LineStatus.REVOKED,
         LineStatus.DECRYPTED, None),
        (OpeningService._move_line, OpeningLine, "status", LineStatus.DECRYPTED,
         LineStatus.PENDING, LineStatus.INVALID),
        (move_committee, Committee, "status", CommitteeStatus.FORMING, CommitteeStatus.DONE,
         CommitteeStatus.SITTING),
        (EvaluationCommitteeService._move_member, CommitteeMember, "state", MemberState.DECLINED,
         MemberState.ACCEPTED, None),
        (EvaluationCommitteeService._move_member, CommitteeMember, "state", MemberState.RESERVE,
         MemberState.SIGNED_IN, MemberState.NOTIFIED),
        (move_sheet, ScoreSheet, "state", SheetState.DRAFT, SheetState.DRAFT,
         SheetState.SUBMITTED),
        (EvaluationWork._move_report, EvaluationReport, "state", ReportState.UNLOCKED,
         ReportState.SIGNED, None),
        (BidSecurityService._classify, BankNotification, "state", PaymentState.LATE,
         PaymentState.PAID, None),
        (BidSecurityService._move_refund, Refund, "status", RefundStatus.REFUNDED,
         RefundStatus.RETRYING, None),
        (BidSecurityService._move_refund, Refund, "status", RefundStatus.WAITING,
         RefundStatus.REFUNDED, RefundStatus.DUE),
        (BidSecurityService._move_forfeiture, Forfeiture, "status", ForfeitureStatus.REJECTED,
         ForfeitureStatus.APPROVED, None),
        (SealedRounds._move, FinalOfferRound, "state", RoundState.DECIDED,
         RoundState.OPEN, None),
        (SealedRounds._move, FinalOfferRound, "state", RoundState.OPEN,
         RoundState.ELIGIBILITY, RoundState.DECIDED),
    ]


@pytest.mark.parametrize("writer,model,attribute,current,refused,allowed", _writers(),
                         ids=lambda value: getattr(value, "__qualname__", str(value)))
def test_the_writer_refuses_a_move_off_its_table_with_a_409(
        writer, model, attribute, current, refused, allowed):
    row = model(**{attribute: current})
    with pytest.raises(InvalidTransition) as caught:
        writer(row, refused)
    assert caught.value.status == 409 and caught.value.as_json()["error"] == \
        "invalid_transition"
    assert getattr(row, attribute) is current  # nothing changed
    if allowed is not None:
        writer(row, allowed)
        assert getattr(row, attribute) is allowed


def test_every_writer_of_a_changing_table_is_tried():
    tried = {(w.__module__, w.__qualname__) for w, *_ in _writers()}
    registered = {(f"trading.{path[:-3].replace('/', '.')}", function)
                  for enum_cls, (path, function) in
                  ((e, w) for e, w in WRITERS.items() if w)
                  if any(TABLES[enum_cls].values())}
    assert registered - tried <= {
        ("trading.projects.service", "ProjectService.transition"),  # tests/projects
        ("trading.smallworks.service", "SmallWorksService._move_entry"),  # tests/smallworks
        ("trading.smallworks.service", "SmallWorksService._move"),
        ("trading.intermediaries.service", "IntermediaryService._entry_to"),  # intermediaries
        ("trading.intermediaries.service", "IntermediaryService._to"),
        ("trading.evaluation.committee", "ExpertPoolService.set_status"),  # every move allowed
    }


def test_the_project_refusal_names_the_statuses_in_chinese():
    with pytest.raises(InvalidTransition) as caught:
        projects_status.check_transition(ProjectStatus.DRAFT, ProjectStatus.AWARDED)
    assert caught.value.message == "项目状态不能从“草稿”变为“已定标”"
