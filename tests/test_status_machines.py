"""One status-machine pattern (issue #22 pt 5): every status column has a literal table in
a `StatusMachines` (trading.transitions), and exactly one writer per table sets it, after
`check_transition`. Checked in the source: an assignment to ``<x>.status`` / ``<x>.state``
(a plain, tuple, augmented or annotated one, or setattr with the name) anywhere in trading/
outside its table's registered writer fails, naming the file, line and function. Giving
the value at construction (``Bid(state=...)``) is not an assignment and stays allowed.
"""

import ast
from pathlib import Path

import pytest
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
from trading.smallworks import status as smallworks_status
from trading.smallworks.status import AllocationStatus, RegistryStatus
from trading.transitions import InvalidTransition, StatusMachines

ROOT = Path(__file__).resolve().parents[1]
TRADING = ROOT / "trading"
# The attribute names that hold a status on a model.
STATUS_ATTRIBUTES = frozenset({"status", "state"})

MACHINES: list[StatusMachines] = [
    projects_status.MACHINES, draws_status.MACHINES, bidding_status.MACHINES,
    smallworks_status.MACHINES, intermediaries_status.MACHINES, evaluation_status.MACHINES,
    bidsecurity_status.MACHINES,
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
}


# Status columns still written without a table, by domain (issue #22 pt 5 in progress):
# each domain's landing empties its entry.
NOT_YET: dict[str, set[tuple[str, str]]] = {
    "award": {("award/final_offer.py", "FinalOfferService.run_due"),
              ("award/final_offer.py", "FinalOfferService._decide"),
              ("award/final_offer.py", "FinalOfferService._revealed_quotes")},
}
NOT_YET_TABLES = {"award": {"RoundState"}}


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
                if (enum_cls not in TABLES or enum_cls not in WRITERS) and not any(
                        enum_cls.__name__ in names for names in NOT_YET_TABLES.values()):
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

    def visit_Call(self, node):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else \
            getattr(node.func, "id", "")
        self.calls.setdefault(".".join(self.scope), set()).add(name)
        if name == "setattr" and len(node.args) >= 2 \
                and isinstance(node.args[1], ast.Constant) \
                and node.args[1].value in STATUS_ATTRIBUTES:
            self.found.append((node.lineno, ".".join(self.scope), ast.unparse(node)))
        self.generic_visit(node)


def _scan() -> dict[str, _Assignments]:
    scanned = {}
    for path in sorted(TRADING.rglob("*.py")):
        visitor = _Assignments()
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        scanned[path.relative_to(TRADING).as_posix()] = visitor
    return scanned


SCANNED = _scan()


def test_a_status_is_assigned_only_by_its_tables_writer():
    writers = set(filter(None, WRITERS.values())).union(*NOT_YET.values())
    strays = [f"trading/{path}:{line} {function or '<module>'}: {target} = ..."
              for path, visitor in SCANNED.items()
              for line, function, target in visitor.found
              if (path, function) not in writers]
    assert not strays, "status written outside its table's writer (use the writer):\n" + \
        "\n".join(strays)


@pytest.mark.parametrize("enum_cls", [e for e, w in WRITERS.items() if w],
                         ids=lambda e: e.__name__)
def test_each_writer_sets_its_status_once_after_check_transition(enum_cls):
    path, function = WRITERS[enum_cls]
    visitor = SCANNED[path]
    writes = [found for found in visitor.found if found[1] == function]
    assert len(writes) == 1, f"{path} {function} writes a status {len(writes)} times"
    assert "check_transition" in visitor.calls.get(function, set()) or \
        "_check_move" in visitor.calls.get(function, set()), \
        f"{path} {function} sets the status without check_transition"


def test_one_writer_per_table():
    writers = [w for w in WRITERS.values() if w]
    assert len(set(writers)) == len(writers)
