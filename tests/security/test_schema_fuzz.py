"""Every colander schema of the platform (forms and API bodies share them), fed arbitrary
input: text with control characters and mixed scripts, huge numbers, wrong types, nesting.
Each either deserializes or refuses with colander.Invalid naming its fields: never another
exception, which would be a 500."""

import importlib
import inspect
import os
import pkgutil

import colander
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trading

EXAMPLES = int(os.environ.get("TRADING_FUZZ_EXAMPLES", "3")) * 10
SKIP = ("trading.draws.__main__",)  # the standalone verifier's entry point


def schema_classes() -> list[type]:
    found = {}
    for info in pkgutil.walk_packages(trading.__path__, "trading."):
        if info.name in SKIP:
            continue
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, colander.SchemaNode) and cls.__module__.startswith("trading.") \
                    and getattr(cls, "__all_schema_nodes__", None):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[name] for name in sorted(found)]


SCHEMAS = schema_classes()

HOSTILE = st.one_of(
    st.text(st.characters(codec=None, exclude_categories=()), max_size=300),  # incl. C0, surrogates
    st.sampled_from(["", " ", "\x00", "\u202e", "Ｆｕｌｌ", "工程\x00施工", "١٢٣", "𠀀𠀁",
                     "<script>alert(1)</script>", "9" * 400, "-1e309", "NaN", "inf",
                     "2026-02-30 25:61", "../../etc/passwd", "0x1F", "1_000"]),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.none(),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
)


def cstruct_for(node: colander.SchemaNode):
    """Input shaped like the node (or not), with hostile leaves."""
    if isinstance(node.typ, colander.Mapping):
        fields = {child.name: st.one_of(cstruct_for(child), HOSTILE)
                  for child in node.children}
        return st.fixed_dictionaries({}, optional=fields)
    if isinstance(node.typ, colander.Sequence) and node.children:
        return st.lists(cstruct_for(node.children[0]), max_size=4)
    return HOSTILE


@pytest.fixture
def blank_request(app, dbsession):
    """What the views bind their schemas to (deferred CSRF tokens, choices)."""
    from pyramid.request import Request

    request = Request.blank("/", environ={"app.dbsession": dbsession})
    request.registry = app.registry
    return request


@pytest.mark.parametrize("cls", SCHEMAS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_a_schema_refuses_hostile_input_with_invalid_and_nothing_else(cls, blank_request):
    node = cls().bind(request=blank_request)

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(cstruct=st.one_of(cstruct_for(node), HOSTILE))
    def feed(cstruct):
        try:
            node.deserialize(cstruct)
        except colander.Invalid as error:
            problems = error.asdict()
            assert problems and all(isinstance(m, str) and m for m in problems.values())

    feed()


def test_every_domain_schema_is_covered():
    names = {c.__module__.split(".")[1] for c in SCHEMAS}
    assert {"accounts", "projects", "bidding", "draws"} <= names
