"""The `govbot` command line: knowledge-base, index, search and serving commands."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

from govbot.settings import get_settings

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _kb_folder(args: argparse.Namespace) -> Path:
    """The documents as a folder: ``--kb`` with the files store, this machine's mirror with the database store."""
    from govbot.admin.kb_store import open_store

    return open_store(get_settings(), args.kb).folder()


def _kb_validate(args: argparse.Namespace) -> int:
    from knowledge.loader import load_kb
    from knowledge.service_catalogue import CatalogueError, load_catalogue

    report = load_kb(_kb_folder(args))
    for problem in report.problems:
        print(problem)
    print(
        f"{len(report.documents)} valid documents, {len(report.invalid_files)} invalid, {len(report.problems)} problems"
    )
    try:
        services = load_catalogue(get_settings().service_catalogue)
    except CatalogueError as error:
        print(error)
        return EXIT_PROBLEMS
    print(f"{len(services)} services in the service catalogue")
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def _kb_import(args: argparse.Namespace) -> int:
    from knowledge.importer import import_files

    settings = get_settings()
    if settings.kb_store == "database" or any(Path(p).is_dir() for p in args.paths):
        return _kb_import_to_store(args)
    report = import_files([Path(p) for p in args.paths], args.kb, args.type, settings.import_limits)
    for file in report.files:
        print(f"{'ok' if file.ok else 'error'}\t{file.file}\t{file.problem or ' '.join(file.ids)}")
    if not report.ok:
        print("有文件未通过校验，本批次没有写入任何文档。", file=sys.stderr)
        return EXIT_PROBLEMS
    for doc_id in report.created:
        print(f"created {doc_id}")
    for doc_id in report.updated:
        print(f"updated {doc_id}")
    return EXIT_OK


def _kb_import_to_store(args: argparse.Namespace) -> int:
    """Import into the configured store, audited, all or nothing: a folder's documents verbatim, files converted."""
    from govbot.admin.kb_store import StoreFailure, open_store
    from knowledge.importer import plan_import
    from knowledge.loader import document_files
    from knowledge.problems import DocumentError

    settings = get_settings()
    store = open_store(settings, args.kb)
    paths = [Path(p) for p in args.paths]
    files = [(str(p), p) for p in paths if not p.is_dir()]
    plan = plan_import(files, args.type, settings.import_limits)
    for file in plan.files:
        print(f"{'ok' if file.ok else 'error'}\t{file.file}\t{file.problem or ' '.join(file.ids)}")
    documents = {f.stem: f.read_text("utf-8") for folder in paths if folder.is_dir() for f in document_files(folder)}
    documents.update(plan.documents)
    try:
        changes = store.put_many(documents, "cli") if plan.ok else None
    except DocumentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        changes = None
    except StoreFailure as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    if changes is None:
        print("有文件未通过校验，本批次没有写入任何文档。", file=sys.stderr)
        return EXIT_PROBLEMS
    for change in changes:
        print(f"{change.action} {change.doc_id}")
    return EXIT_OK


def _kb_export(args: argparse.Namespace) -> int:
    from govbot.admin.kb_store import open_store

    written = open_store(get_settings(), args.kb).export(args.target)
    print(f"exported {len(written)} documents to {args.target}")
    return EXIT_OK


def _index_build(args: argparse.Namespace) -> int:
    from govbot.answering.answerability import SCOPE_RULE_STALE
    from govbot.components import embedder_for, tokenizer_for
    from index.backend import BackendError
    from index.builder import BuildError, build_index
    from index.calibration import applied

    settings = get_settings()
    try:
        result = build_index(
            _kb_folder(args),
            args.index,
            lambda: embedder_for(replace(settings, torch_threads=os.cpu_count() or 1)),  # a build may use every core
            tokenizer_for(settings),
            settings,
            progress=True,
        )
    except (BuildError, BackendError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    for problem in result.problems:
        print(f"skipped: {problem}", file=sys.stderr)
    if result.changed:
        from govbot.storage.subscriptions import notify_subscribers

        notified = notify_subscribers(settings.database_url, result.changed)
        if notified:
            print(f"{notified} subscriber notifications created for changed policies")
    print(
        f"snapshot {result.version}: {result.documents} documents, {result.chunks} chunks "
        f"({result.embedded} embedded, {result.reused} reused), {result.index_kind} index, {result.seconds:.1f}s"
    )
    fitted = result.calibration if settings.self_calibrate else None
    if not settings.scope_rule.fits(*applied(fitted, settings.fusion_weights, settings.confidence_policy)):
        print(SCOPE_RULE_STALE, file=sys.stderr)
    return EXIT_OK


def _print_readable(response: dict) -> None:
    print(f"查询：{response['query']}  决策：{response['decision']}  置信度：{response['confidence']:.2f}")
    if not response["results"]:
        print("（没有找到相关内容）")
    for rank, result in enumerate(response["results"], start=1):
        print(f"{rank}. {result['title']} [{result['doc_id']}] {result['section']}  score={result['score']:.3f}")
        if result["snippet"]:
            print(f"   {result['snippet']}")
        if result["source_url"]:
            print(f"   {result['source_url']}")


def _search(args: argparse.Namespace) -> int:
    from govbot.components import make_searcher
    from index.backend import BackendError
    from index.filters import SearchFilters
    from index.query_text import QueryError
    from index.searcher import IndexNotReady

    if args.queries is None and not args.query:
        print("error: give a QUERY or --queries FILE", file=sys.stderr)
        return EXIT_USAGE
    filters = SearchFilters(doc_type=args.type)
    try:
        searcher = make_searcher(args.index)
        if args.queries is not None:
            return _search_file(searcher, args.queries, args.top_k, filters)
        response = searcher.search(" ".join(args.query), top_k=args.top_k, filters=filters).to_dict()
    except (QueryError, IndexNotReady, BackendError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(response, ensure_ascii=False, indent=1))
    else:
        _print_readable(response)
    return EXIT_OK


def _search_file(searcher, path: Path, top_k: int, filters) -> int:
    from index.query_text import QueryError

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {path}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    keys = ("doc_id", "title", "section", "score", "snippet", "source_url")
    for line in lines:
        try:
            results = searcher.search(line, top_k=top_k, filters=filters).results
        except QueryError:
            results = []
        row = {"query": line, "results": [{k: getattr(r, k) for k in keys} for r in results]}
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return EXIT_OK


def _setup(args: argparse.Namespace) -> int:
    from govbot.components import ensure_model
    from govbot.rasa_model import ensure_rasa_model

    settings = get_settings()
    print(f"embedding model: {ensure_model(settings)}")
    status = _index_build(args)
    print(f"Rasa model: {ensure_rasa_model(settings)}")
    return status


def _log_to_stderr() -> None:
    """Our own INFO messages (re-indexing, which Rasa replica took a conversation) beside uvicorn's."""
    import logging

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
    logger = logging.getLogger("govbot")
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    _log_to_stderr()
    uvicorn.run("govbot.app:create_app", factory=True, host=settings.host, port=settings.app_port, log_level="info")
    return EXIT_OK


def _busy_ports(settings) -> list[str]:
    from govbot.ports import busy_port_message

    checks = (
        (settings.host, settings.app_port, "GOVBOT_APP_PORT"),
        *((settings.rasa_host, port, "GOVBOT_RASA_PORT") for port in settings.rasa_ports),
        (settings.actions_host, settings.actions_port, "GOVBOT_ACTIONS_PORT"),
    )
    return [m for m in (busy_port_message(*check) for check in checks) if m]


def _run(args: argparse.Namespace) -> int:
    from govbot.admin.auth import TokenAuthority, TokenError, ensure_token_file
    from govbot.rasa_model import ensure_rasa_model
    from govbot.security.secrets import ensure_all
    from govbot.supervisor import Supervisor, build_services, service_env

    settings = get_settings()
    busy = _busy_ports(settings)
    for message in busy:
        print(message, file=sys.stderr)
    if busy:
        return EXIT_PROBLEMS
    ensure_all(settings)
    if ensure_token_file(settings.admin_tokens_file, settings.admin_tokens):
        print(f"Created an admin (editor) token for /admin in {settings.admin_tokens_file}")
    elif not settings.admin_tokens:
        print(f"Admin tokens: {settings.admin_tokens_file}")
    try:
        rejected = TokenAuthority(settings.admin_tokens, settings.admin_tokens_file).rejected
    except TokenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for warning in rejected:
        print(f"warning: {warning}", file=sys.stderr)
    model = ensure_rasa_model(settings)
    services = build_services(settings, model)
    return Supervisor(services, service_env(settings), settings.var_dir / "logs").run()


def _cluster(args: argparse.Namespace) -> int:
    from govbot.cluster.run import run_cluster

    return run_cluster(get_settings())


def _exec(command: list[str], extra_env: dict[str, str] | None = None) -> int:
    """Replace this process with ``command`` (a container's main process), in the services' environment."""
    import os

    from govbot.supervisor import service_env

    os.execve(command[0], command, {**service_env(get_settings()), **(extra_env or {})})
    return EXIT_OK  # not reached


def _serve_rasa(args: argparse.Namespace) -> int:
    from govbot.rasa_model import ensure_rasa_model
    from govbot.supervisor import rasa_command

    settings = get_settings()
    return _exec(rasa_command(settings, ensure_rasa_model(settings), settings.rasa_port))


def _serve_actions(args: argparse.Namespace) -> int:
    from govbot.supervisor import actions_command

    settings = get_settings()
    return _exec(actions_command(settings.actions_port), {"SANIC_HOST": settings.actions_host})


def _purge(args: argparse.Namespace) -> int:
    from govbot.admin.retention import purge_older_than

    settings = get_settings()
    print(purge_older_than(settings.database_url, args.days or settings.retention_days, settings.tracker_database_url))
    return EXIT_OK


def _train(args: argparse.Namespace) -> int:
    from govbot.rasa_model import ensure_rasa_model

    print(f"Rasa model: {ensure_rasa_model(get_settings())}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="govbot", description="示例市政务服务智能问答助手")
    commands = parser.add_subparsers(dest="command", required=True)

    def kb_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--kb", type=Path, default=settings.kb_dir, help="knowledge-base folder")

    def index_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--index", type=Path, default=settings.index_dir, help="index folder")

    kb = commands.add_parser("kb", help="knowledge-base commands").add_subparsers(dest="kb_command", required=True)
    validate = kb.add_parser("validate", help="check every document and report problems")
    kb_option(validate)
    validate.set_defaults(func=_kb_validate)
    importer = kb.add_parser(
        "import",
        help="import .md .txt .html .csv .xlsx .docx .pdf files, or a knowledge-base folder's documents verbatim, "
        "into the configured store (GOVBOT_KB_STORE); all or nothing",
    )
    importer.add_argument("paths", nargs="+")
    importer.add_argument("--type", choices=("guide", "policy", "faq"))
    kb_option(importer)
    importer.set_defaults(func=_kb_import)
    exporter = kb.add_parser("export", help="write every document of the configured store to a folder, verbatim")
    exporter.add_argument("target", type=Path)
    kb_option(exporter)
    exporter.set_defaults(func=_kb_export)

    index = commands.add_parser("index", help="index commands").add_subparsers(dest="index_command", required=True)
    build = index.add_parser("build", help="build a new index snapshot (incremental)")
    kb_option(build)
    index_option(build)
    build.set_defaults(func=_index_build)

    search = commands.add_parser("search", help="search the knowledge base")
    index_option(search)
    search.add_argument("--top-k", type=int, default=5)
    search.add_argument("--type", choices=("guide", "policy", "faq", "event"))
    search.add_argument("--json", action="store_true", help="print JSON")
    search.add_argument("--queries", type=Path, help="a file with one query per line; prints JSON Lines")
    search.add_argument("query", nargs="*")
    search.set_defaults(func=_search)

    setup = commands.add_parser("setup", help="prepare the embedding model, the index and the Rasa model (idempotent)")
    kb_option(setup)
    index_option(setup)
    setup.set_defaults(func=_setup)

    serve = commands.add_parser("serve", help="serve the knowledge service and web pages")
    serve.set_defaults(func=_serve)
    train = commands.add_parser("train", help="train the Rasa model if its data or config changed")
    train.set_defaults(func=_train)
    purge = commands.add_parser("purge", help="delete conversation records older than the retention period")
    purge.add_argument("--days", type=int, help="override GOVBOT_RETENTION_DAYS")
    purge.set_defaults(func=_purge)
    run = commands.add_parser("run", help="start and supervise the knowledge service, action server and Rasa")
    run.set_defaults(func=_run)
    cluster = commands.add_parser(
        "cluster", help="the cluster profile on this machine: PostgreSQL, Redis, nginx and two replicas of each process"
    )
    cluster.set_defaults(func=_cluster)
    serve_rasa = commands.add_parser("serve-rasa", help="run one Rasa server (a container's main process)")
    serve_rasa.set_defaults(func=_serve_rasa)
    serve_actions = commands.add_parser("serve-actions", help="run one action server (a container's main process)")
    serve_actions.set_defaults(func=_serve_actions)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "top_k", 1) < 1:
        print("error: --top-k must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
