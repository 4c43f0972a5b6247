"""`trading` — operator commands. Each takes the ini path where it needs one.

    trading migrate development.ini          apply database migrations
    trading demo development.ini             load demo data (idempotent)
    trading audit verify development.ini     check the audit chain and the Merkle log
    trading audit checkpoint development.ini sequence the log and sign its head now
    trading audit log development.ini checkpoint|inclusion --seq S|consistency --old N
                                             the log's checkpoint or a proof, as JSON
    trading audit checkpoints FILE.json --platform-key KEY…  check published checkpoints
                                             offline (what /api/v1/audit/checkpoints gives)
    trading ocds export development.ini -o releases.json   bulk OCDS export
    trading archive verify PACKAGE.zip [--platform-key HEX]  check a package offline
    trading award verify REPORT.json [--platform-key HEX]    check a signed award report
    trading printables verify DOC.pdf --cert platform-document.pem [--record R.json|--fetch]
                                             check a signed document PDF offline
    trading keys generate                    print fresh production key values
    trading admin create development.ini USERNAME --name NAME
                                             the first system administrator (系统管理员);
                                             password from TRADING_ADMIN_PASSWORD or a prompt
"""

import argparse
import base64
import secrets
import sys

from .config import ConfigError


def _bootstrap(ini: str):
    from pyramid.paster import bootstrap, setup_logging

    setup_logging(ini)
    return bootstrap(ini)


def cmd_migrate(args) -> int:
    from alembic import command
    from alembic.config import Config

    command.upgrade(Config(args.ini), "head")
    print("database migrated to head")
    return 0


def cmd_demo(args) -> int:
    from .demo import DEMO_PASSWORD, USERS, load_demo

    env = _bootstrap(args.ini)
    settings = env["registry"].settings
    if settings["trading.env"] == "production":
        print("trading: error: demo data is never loaded in production", file=sys.stderr)
        return 2
    with env["request"].tm:
        load_demo(env["request"].dbsession, env["registry"]["clock"], settings)
    print(f"demo data loaded; logins (password {DEMO_PASSWORD}):")
    for username, display, role, _org in USERS:
        print(f"  {username:<12} {role:<13} {display}")
    print("  more, same password: agency2…agency6, expert2…expert15 (the demo committees),")
    print("  dingbiao1…dingbiao10 (award-committee roster); the README says who sits where")
    env["closer"]()
    return 0


def cmd_audit_verify(args) -> int:
    """The frozen hash chain, then the Merkle log against every stored checkpoint."""
    from .audit.merkle import verify_log
    from .audit.service import verify_chain
    from .bidding.opening_log import opening_log_problems
    from .draws.services import draw_log_problems
    from .rounds.service import sealed_round_log_problems

    env = _bootstrap(args.ini)
    registry = env["registry"]
    with env["request"].tm:
        chain = verify_chain(env["request"].dbsession)
        log = verify_log(env["request"].dbsession, registry["keys"], registry.settings)
        log.problems += opening_log_problems(env["request"].dbsession)
        log.problems += draw_log_problems(env["request"].dbsession)
        log.problems += sealed_round_log_problems(env["request"].dbsession)
    env["closer"]()
    if chain.ok:
        print(f"audit chain valid: {chain.count} events, head {chain.head_hash}")
    else:
        print(f"audit chain BROKEN at seq {chain.broken_seq}: {chain.reason} "
              f"({chain.count} events verified before it)")
    for problem in log.problems:
        print(f"audit log BROKEN: {problem}")
    if log.ok:
        print(f"audit log valid: {log.size} entries, root {log.root.hex()}, "
              f"{log.checkpoints} signed checkpoints match")
    return 0 if chain.ok and log.ok else 1


def cmd_audit_checkpoint(args) -> int:
    """Sequence the queued events and sign the log's tree head (and the frozen chain's)."""
    from .audit.merkle import sequence
    from .audit.service import sign_checkpoint

    env = _bootstrap(args.ini)
    registry = env["registry"]
    with env["request"].tm:
        sign_checkpoint(env["request"].dbsession, registry["keys"], now=registry["clock"]())
        cp = sequence(env["request"].dbsession, registry["keys"], registry.settings,
                      now=registry["clock"]())
        line = f"checkpoint size {cp.size} root {cp.root}" if cp else "no events yet"
    env["closer"]()
    print(line)
    return 0


def cmd_audit_log(args) -> int:
    """The log's latest checkpoint, an inclusion or a consistency proof, as the API gives
    them (JSON on stdout): for an operator, or to hand to an auditor."""
    import json

    from .audit import merkle
    from .errors import DomainError

    env = _bootstrap(args.ini)
    registry = env["registry"]
    ctx = (env["request"].dbsession, registry["keys"], registry.settings)
    try:
        with env["request"].tm:
            if args.what == "checkpoint":
                doc = merkle.checkpoint_doc(merkle._signed(ctx[0], args.size), *ctx[1:])
            elif args.what == "inclusion":
                doc = merkle.inclusion_doc(*ctx, seq=args.seq, size=args.size)
            else:
                doc = merkle.consistency_doc(*ctx, old=args.old, new=args.size)
    except DomainError as exc:
        print(f"trading: error: {exc.code}: {exc.message}", file=sys.stderr)
        return 1
    finally:
        env["closer"]()
    print(json.dumps(doc, ensure_ascii=False, indent=1))
    return 0


def cmd_audit_checkpoints(args) -> int:
    """Offline, for outsiders: every signature of a saved /api/v1/audit/checkpoints
    document against the platform keys they pinned. A key written inside the document is
    never trusted: whoever forged the file would have written their own key there."""
    import binascii
    import json

    from .audit.service import checkpoint_message
    from .keys import verify_signature

    if not args.platform_key:
        print("trading: error: --platform-key is required: pin the platform's public key "
              "(from its published keys, not from the file being checked)", file=sys.stderr)
        return 2
    try:
        pinned = [_public_key(k) for k in args.platform_key]
    except (binascii.Error, ValueError):
        print("trading: error: --platform-key is neither hex nor base64", file=sys.stderr)
        return 2
    try:
        with open(args.file, encoding="utf-8") as fh:
            doc = json.load(fh)
        checkpoints = list(doc["checkpoints"])
        by_id = {kid: base64.b64decode(raw)
                 for kid, raw in (doc.get("public_keys") or {}).items()}
        published = base64.b64decode(doc["public_key"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        print(f"INVALID: not a checkpoints document: {exc}")
        return 1
    problems = [p for cp in checkpoints
                if (p := _checkpoint_problem(cp, by_id, published, pinned, checkpoint_message,
                                             verify_signature))]
    for problem in problems:
        print(f"INVALID: {problem}")
    if problems:
        return 1
    last = max((int(cp["seq"]) for cp in checkpoints), default=0)
    print(f"audit checkpoints valid: {len(checkpoints)} signed, latest seq {last}")
    return 0


def _checkpoint_problem(cp, by_id, published, pinned, message, verify) -> str:
    """One checkpoint against the pinned keys: the document only says which key (by id)
    signed it; that key must be one the caller pinned, and the signature must hold."""
    if not isinstance(cp, dict):
        return f"not a checkpoint: {cp!r:.40}"
    seq = cp.get("seq")
    signer = by_id.get(cp.get("key_id"), published)
    if signer not in pinned:
        return f"checkpoint seq {seq}: signed by another key than the platform key given"
    try:
        ok = verify(signer, message(int(cp["seq"]), cp["head_hash"]),
                    bytes.fromhex(cp["signature"]))
    except (KeyError, TypeError, ValueError):
        ok = False
    return "" if ok else f"checkpoint seq {seq}: signature does not verify"


def cmd_ocds_export(args) -> int:
    """Write every release as one OCDS release package, streaming (memory stays flat)."""
    from .opendata.export import export_releases

    env = _bootstrap(args.ini)
    registry = env["registry"]
    with env["request"].tm, open(args.output, "w", encoding="utf-8") as out:
        count = export_releases(env["request"].dbsession, out, now=registry["clock"]())
    env["closer"]()
    print(f"wrote {count} releases to {args.output}")
    return 0


def _public_key(text: str) -> bytes:
    """Hex, or base64 as /audit/checkpoints shows it."""
    try:
        return bytes.fromhex(text)
    except ValueError:
        return base64.b64decode(text)


def cmd_archive_verify(args) -> int:
    """Offline: no ini, no database; only the package and, optionally, the platform key."""
    from .archive.package import verify_package

    key = _public_key(args.platform_key) if args.platform_key else None
    report = verify_package(args.package, expected_key=key)
    if report.ok:
        files = len(report.manifest.get("files", []))
        print(f"archive package valid: {files} files, signed by {report.manifest['signing_key']}")
        return 0
    for problem in report.problems:
        print(f"INVALID: {problem}")
    return 1


def cmd_award_verify(args) -> int:
    """Offline: the published 定标报告 document and, optionally, the platform key to pin."""
    import binascii

    from .award.report import verify_document

    try:
        key = _public_key(args.platform_key) if args.platform_key else None
    except (binascii.Error, ValueError):
        print("trading: error: --platform-key is neither hex nor base64", file=sys.stderr)
        return 2
    try:
        with open(args.report, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        print(f"INVALID: cannot read {args.report}: {exc.strerror}")
        return 1
    report = verify_document(raw, expected_key=key)
    if report.ok:
        print(f"award report valid: sha256 {report.sha256}, signed by {report.signing_key}")
        return 0
    for problem in report.problems:
        print(f"INVALID: {problem}")
    return 1


def cmd_printables_verify(args) -> int:
    """Offline: a signed document PDF against the pinned document certificate and, with
    --record or --fetch, against the record the platform gives now."""
    import json

    from .printables.verify import record_sha256, verify_pdf

    if not args.cert:
        print("trading: error: --cert is required: pin the platform's document certificate "
              "(/printables/certificate.pem, not one taken from the PDF)", file=sys.stderr)
        return 2
    try:
        with open(args.pdf, "rb") as fh:
            data = fh.read()
        with open(args.cert, "rb") as fh:
            cert = fh.read()
        expected = None
        if args.record:
            with open(args.record, encoding="utf-8") as fh:
                expected = json.load(fh)
    except OSError as exc:
        print(f"INVALID: cannot read {exc.filename}: {exc.strerror}")
        return 1
    except ValueError as exc:
        print(f"INVALID: the record file is not JSON: {exc}")
        return 1
    verdict = verify_pdf(data, cert)
    if verdict.ok and args.fetch:
        expected, problem = _fetch_record(verdict.record.get("record", ""))
        if problem:
            print(f"INVALID: {problem}")
            return 1
    if verdict.ok and expected is not None:
        verdict = verify_pdf(data, cert, expected)
    for problem in verdict.problems:
        print(f"INVALID: {problem}")
    if not verdict.ok:
        return 1
    record = verdict.record
    print(f"document valid: {record['title']} ({record['kind']}), project "
          f"{record['project']['number']}; signed by {verdict.signer} at {verdict.signed_at}; "
          f"record sha256 {record_sha256(record)}")
    if expected is not None:
        source = f"fetched from {record['record']}" if args.fetch else args.record
        print(f"content matches the record ({source})")
    else:
        print(f"content not compared with the platform's record: give --record FILE or "
              f"--fetch ({record['record']})")
    return 0


def _fetch_record(url: str) -> tuple[dict | None, str]:
    """The record now, from the address the signed PDF names (public documents; others
    need the reader's session: save the .json from the browser and give --record)."""
    import json
    import urllib.error
    import urllib.request

    if not url.startswith(("https://", "http://")):
        return None, f"the record's address is not a web address: {url!r}"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 — checked
            return json.loads(response.read()), ""
    except urllib.error.HTTPError as exc:
        return None, (f"the platform answered {exc.code} for {url}: a document that is not "
                      "public needs the reader's session; save its .json and use --record")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, f"cannot fetch the record from {url}: {exc}"


def cmd_keys_generate(args) -> int:
    print("# Put these in the production environment (a secret store), never in a file "
          "under version control:")
    for name in ("TRADING_KEK", "TRADING_SIGNING_KEY"):
        print(f"{name}={base64.b64encode(secrets.token_bytes(32)).decode()}")
    from .keys import new_sm2_der

    # The SM2 key (PKCS#8 DER, base64) signs what belongs to 国密 projects.
    print(f"TRADING_SM2_SIGNING_KEY={base64.b64encode(new_sm2_der()).decode()}")
    # The document-signing key and its self-signed certificate (PDF seals; a certificate
    # from a CA may replace it: TRADING_DOCUMENT_CERTIFICATE is base64 DER).
    from .keys import new_document_signer

    document = new_document_signer(args.center)
    print(f"TRADING_DOCUMENT_SIGNING_KEY={base64.b64encode(document.key_der).decode()}")
    print(f"TRADING_DOCUMENT_CERTIFICATE={base64.b64encode(document.cert_der).decode()}")
    for name in ("TRADING_AUTH_SECRET", "TRADING_SESSION_SECRET"):
        print(f"{name}={secrets.token_urlsafe(48)}")
    return 0


def cmd_admin_create(args) -> int:
    """The first 系统管理员 of an installation (later ones, and every staff account, are
    created on /admin/users). Refused once one exists, or for a weak password."""
    import getpass
    import os

    import sqlalchemy as sa

    from .accounts.models import Role, User
    from .accounts.service import AccountService
    from .actor import Actor
    from .errors import DomainError

    password = os.environ.get("TRADING_ADMIN_PASSWORD") or getpass.getpass("初始密码: ")
    env = _bootstrap(args.ini)
    request, settings = env["request"], env["registry"].settings
    try:
        with request.tm:
            db = request.dbsession
            if db.scalar(sa.select(User.id).where(User.role == Role.SYSADMIN)) is not None:
                print("trading: error: a system administrator exists already; create more "
                      "accounts on /admin/users", file=sys.stderr)
                return 2
            AccountService(db, env["registry"]["clock"], settings).create_user(
                username=args.username, display_name=args.name, password=password,
                role=Role.SYSADMIN, organisation=None, actor=Actor.system("cli"))
    except DomainError as exc:
        print(f"trading: error: {exc.message}", file=sys.stderr)
        return 2
    finally:
        env["closer"]()
    print(f"system administrator {args.username} created; sign in and enrol the second factor")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trading", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, fn in (("migrate", cmd_migrate), ("demo", cmd_demo)):
        p = sub.add_parser(name)
        p.add_argument("ini")
        p.set_defaults(func=fn)
    audit = sub.add_parser("audit").add_subparsers(dest="audit_command", required=True)
    for name, fn in (("verify", cmd_audit_verify), ("checkpoint", cmd_audit_checkpoint)):
        p = audit.add_parser(name)
        p.add_argument("ini")
        p.set_defaults(func=fn)
    log = audit.add_parser("log", help="the log's checkpoint or a proof, as JSON")
    log.add_argument("ini")
    log.add_argument("what", choices=("checkpoint", "inclusion", "consistency"))
    log.add_argument("--seq", type=int, help="inclusion: the audit event's seq")
    log.add_argument("--old", type=int, help="consistency: the earlier tree size")
    log.add_argument("--size", type=int, help="the checkpoint's tree size (default: latest)")
    log.set_defaults(func=cmd_audit_log)
    points = audit.add_parser("checkpoints", help="check saved signed checkpoints offline")
    points.add_argument("file", help="the JSON of /api/v1/audit/checkpoints, saved")
    points.add_argument("--platform-key", action="append",
                        help="required: a platform public key to pin (hex or base64; "
                        "repeat it for each key, e.g. the Ed25519 and the SM2 key)")
    points.set_defaults(func=cmd_audit_checkpoints)
    ocds = sub.add_parser("ocds").add_subparsers(dest="ocds_command", required=True)
    export = ocds.add_parser("export", help="bulk OCDS export as a release package")
    export.add_argument("ini")
    export.add_argument("-o", "--output", required=True)
    export.set_defaults(func=cmd_ocds_export)
    archive = sub.add_parser("archive").add_subparsers(dest="archive_command", required=True)
    check = archive.add_parser("verify", help="check an archive package offline")
    check.add_argument("package")
    check.add_argument("--platform-key",
                       help="the platform's Ed25519 public key to pin (hex or base64)")
    check.set_defaults(func=cmd_archive_verify)
    award = sub.add_parser("award").add_subparsers(dest="award_command", required=True)
    check = award.add_parser("verify", help="check a signed award report (定标报告) offline")
    check.add_argument("report")
    check.add_argument("--platform-key",
                       help="the platform's Ed25519 public key to pin (hex or base64)")
    check.set_defaults(func=cmd_award_verify)
    printables = sub.add_parser("printables").add_subparsers(dest="printables_command",
                                                             required=True)
    check = printables.add_parser("verify", help="check a signed document PDF offline")
    check.add_argument("pdf")
    check.add_argument("--cert", help="required: the platform's document certificate (PEM "
                       "or DER) to pin, from /printables/certificate.pem")
    source = check.add_mutually_exclusive_group()
    source.add_argument("--record", help="the record as the platform gives it (the "
                        "document's .json), saved")
    source.add_argument("--fetch", action="store_true",
                        help="fetch the record from the address the PDF names")
    check.set_defaults(func=cmd_printables_verify)
    keys = sub.add_parser("keys").add_subparsers(dest="keys_command", required=True)
    generate = keys.add_parser("generate")
    generate.add_argument("--center", default="阳光市公共资源交易中心",
                          help="the center's name in the document certificate")
    generate.set_defaults(func=cmd_keys_generate)
    admin = sub.add_parser("admin").add_subparsers(dest="admin_command", required=True)
    create = admin.add_parser("create", help="the first system administrator (系统管理员)")
    create.add_argument("ini")
    create.add_argument("username")
    create.add_argument("--name", default="系统管理员", help="display name")
    create.set_defaults(func=cmd_admin_create)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"trading: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
